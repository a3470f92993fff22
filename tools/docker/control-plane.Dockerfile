# etcd and kube-apiserver, Go-built from the pinned modules (tools/control-plane/build.sh), on the
# locally debootstrapped Debian base. No RUN steps: building needs no container network.
ARG BASE=ago-debian-base:bookworm
FROM ${BASE}
COPY etcd kube-apiserver /usr/local/bin/
