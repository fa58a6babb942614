# Stratus: `make up` starts the embedded cloud, `make test` runs every test.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
VIRT ?= auto
STATE ?= .stratus

# Debian packages for real guests (libvirt driver, test guest), the memcached and
# ZooKeeper service-group drivers' tests, the compose-file check and the benchmarks' load
# generator (wrk): installed when missing.
HOST_PACKAGES := qemu-system-x86 qemu-utils libvirt-daemon-system libvirt-dev pkg-config \
	busybox-static genisoimage e2fsprogs iproute2 memcached zookeeper docker-compose \
	dnsmasq-base iptables ebtables wrk

.PHONY: install host-packages up test tempest bench sample-config clean

host-packages:
	@missing=$$(for p in $(HOST_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "Installing Debian packages:" $$missing; \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $$missing \
		|| { apt-get update -q && DEBIAN_FRONTEND=noninteractive \
		     apt-get install -y -q --no-install-recommends $$missing; }; \
	fi

$(VENV)/.installed: pyproject.toml
	$(MAKE) host-packages
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test,libvirt]'
	touch $@

install: $(VENV)/.installed

# Embedded mode: SQLite + in-process bus, every service in this one process. VIRT=libvirt
# (like auto where libvirt is usable) runs a private libvirtd, guests and their networks
# inside a network namespace of its own, removed on exit.
up: install
	OS_DEFAULT__STATE_PATH=$(STATE) $(BIN)/stratus db sync
	OS_DEFAULT__STATE_PATH=$(STATE) $(BIN)/stratus bootstrap --clouds-yaml $(STATE)/clouds.yaml
	OS_DEFAULT__STATE_PATH=$(STATE) OS_COMPUTE__VIRT_DRIVER=$(VIRT) \
		OS_LIBVIRT__PRIVATE_DAEMON=$(if $(filter libvirt,$(VIRT)),true,false) $(BIN)/stratus-all

# tests/functional/test_faults.py stops and starts the machine's RabbitMQ and MariaDB: it runs on its
# own after the parallel run, so no other test loses its server under it.
test: install
	$(BIN)/pytest -q -n 2 --dist loadfile -p no:cacheprovider --ignore=tests/functional/test_faults.py
	$(BIN)/pytest -q -p no:cacheprovider tests/functional/test_faults.py

# Tempest's compute API suite against a fresh embedded cloud (tests/tempest/run.py), in
# its own venv; fails when fewer tests pass than tests/tempest/floor.
TEMPEST_VENV := .tempest-venv
$(TEMPEST_VENV)/.installed:
	$(PYTHON) -m venv $(TEMPEST_VENV)
	$(TEMPEST_VENV)/bin/pip install -q 'tempest==47.0.0'
	touch $@

tempest: install $(TEMPEST_VENV)/.installed
	$(BIN)/python tests/tempest/run.py

bench: install
	$(BIN)/python bench/api.py

sample-config: install
	$(BIN)/oslo-config-generator --config-file etc/stratus/stratus-config-generator.conf
	$(BIN)/oslopolicy-sample-generator --namespace stratus --output-file etc/stratus/policy.yaml.sample

clean:
	rm -rf $(VENV) $(TEMPEST_VENV) $(STATE)
