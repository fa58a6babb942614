# One image for every Stratus service; each container runs one console script:
#   stratus-identity | stratus-image | stratus-api | stratus-conductor |
#   stratus-scheduler | stratus-compute   (all with --config-file /etc/stratus/stratus.conf)
# The compute agent's libvirt driver needs libvirt-python: build with
#   --build-arg WITH_LIBVIRT=1   (the default image runs the fake driver only).
FROM python:3.11-slim-bookworm

ARG WITH_LIBVIRT=0
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1

RUN if [ "$WITH_LIBVIRT" = "1" ]; then \
      apt-get update && apt-get install -y --no-install-recommends \
        gcc pkg-config libvirt-dev qemu-utils genisoimage && \
      rm -rf /var/lib/apt/lists/*; \
    fi

WORKDIR /src
COPY pyproject.toml README.md ./
COPY stratus ./stratus
COPY compute_api ./compute_api
COPY identity_api ./identity_api
COPY image_api ./image_api
COPY conductor ./conductor
COPY scheduler ./scheduler
COPY compute_agent ./compute_agent
COPY migrations ./migrations
COPY etc ./etc
RUN if [ "$WITH_LIBVIRT" = "1" ]; then pip install --no-cache-dir '.[libvirt]'; \
    else pip install --no-cache-dir .; fi

RUN mkdir -p /etc/stratus /var/lib/stratus
VOLUME /var/lib/stratus
CMD ["stratus", "--help"]
