# Stratus: `make up` starts the embedded cloud, `make test` runs every test.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
VIRT ?= fake
STATE ?= .stratus

.PHONY: install up test bench sample-config clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $@

install: $(VENV)/.installed

# Embedded mode: SQLite + in-process bus, every service in this one process.
up: install
	OS_DEFAULT__STATE_PATH=$(STATE) $(BIN)/stratus db sync
	OS_DEFAULT__STATE_PATH=$(STATE) $(BIN)/stratus bootstrap --clouds-yaml $(STATE)/clouds.yaml
	OS_DEFAULT__STATE_PATH=$(STATE) OS_COMPUTE__VIRT_DRIVER=$(VIRT) $(BIN)/stratus-all

test: install
	$(BIN)/pytest -q -n 2 -p no:cacheprovider

bench: install
	$(BIN)/python bench/api.py

sample-config: install
	$(BIN)/oslo-config-generator --config-file etc/stratus/stratus-config-generator.conf
	$(BIN)/oslopolicy-sample-generator --namespace stratus --output-file etc/stratus/policy.yaml.sample

clean:
	rm -rf $(VENV) $(STATE)
