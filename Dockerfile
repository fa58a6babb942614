# One image for every Stratus service. A container runs one console script with the
# configuration mounted at /etc/stratus/stratus.conf, e.g.
#   stratus-identity --config-file /etc/stratus/stratus.conf
# (likewise stratus-image, stratus-api, stratus-conductor, stratus-scheduler,
# stratus-compute; `stratus` is the admin CLI: db sync, bootstrap, service list).
#
# Build arg WITH_LIBVIRT (default 0): the default image has no libvirt-python, so its
# compute agent runs the fake driver only. For the libvirt driver build with
#   docker build --build-arg WITH_LIBVIRT=1 -t stratus:libvirt .
# which adds libvirt-python (compiled here against libvirt-dev, compiler removed after),
# the libvirt client library, qemu-img and genisoimage. The agent then still needs a
# libvirtd it can reach ([libvirt] connection_uri); this image does not run one.
#
# Everything is installed at build time; the services download nothing when they start.
FROM python:3.11-slim-bookworm

ARG WITH_LIBVIRT=0

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /src
# The source tree minus what .dockerignore leaves out (tests, docs, venv, local state).
COPY . .

RUN set -eux; \
    if [ "$WITH_LIBVIRT" = "1" ]; then \
        apt-get update; \
        apt-get install -y --no-install-recommends \
            libvirt0 qemu-utils genisoimage gcc libc6-dev pkg-config libvirt-dev; \
        pip install '.[libvirt]'; \
        apt-get purge -y --auto-remove gcc libc6-dev pkg-config libvirt-dev; \
        rm -rf /var/lib/apt/lists/*; \
    else \
        pip install .; \
    fi; \
    cd /; rm -rf /src; \
    useradd --system --uid 42424 --home-dir /var/lib/stratus --shell /usr/sbin/nologin stratus; \
    mkdir -p /etc/stratus /var/lib/stratus/images /var/lib/stratus/instances \
             /var/lib/stratus/logs; \
    chown -R stratus:stratus /var/lib/stratus

# state_path of the compose configuration: image store, instance files, logs.
WORKDIR /var/lib/stratus
# Root is needed only to talk to a root-owned libvirtd socket: override with `user: root`.
USER stratus

CMD ["stratus", "--help"]
