# azure-gallery-operator image: docker build -t azure-gallery-operator:0.1.0 .
#
# Two stages on the same base, so the runtime image holds only production dependencies, the
# compiled JavaScript and the CRDs: no TypeScript, no sources, no tests, no npm cache.
# No `# syntax=` line on purpose: it would make BuildKit pull a frontend image, and the build must
# also work where only the base image is available locally (tools/docker/image-fixture.sh).

FROM node:24-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
# --ignore-scripts: the only install scripts are the dev-only `node` package (it would download a
# second Node binary; the base image has one) and optional native addons of test tools, which
# need a compiler this image does not have. The TypeScript compiler ships as a platform package.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY . .
# tsc run by the image's node directly: without install scripts node_modules/.bin/node (from the
# `node` package) is not a working binary, and npx would put it first on PATH.
RUN node node_modules/typescript/bin/tsc -p tsconfig.build.json

FROM node:24-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# Type declarations and source maps are half of node_modules (~90 MB) and nothing loads them at
# run time: the operator is not started with --enable-source-maps.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && find node_modules -type f \( -name '*.d.ts' -o -name '*.d.mts' -o -name '*.d.cts' -o -name '*.map' \) -delete

FROM node:24-bookworm-slim
# npm, npx and corepack are not needed to run the operator; removing them keeps their
# dependencies out of what runs in the cluster (and out of image scans).
RUN rm -rf /usr/local/lib/node_modules /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack \
      /opt/yarn* /usr/local/bin/yarn /usr/local/bin/yarnpkg
# glibc's malloc gives threads that allocate arenas of their own, up to eight per core (glibc
# manual, "Memory Allocation Tunables", glibc.malloc.arena_max); two keep Node's helper threads
# from holding memory the operator no longer uses: 7 MB less RSS at 12,240 cached objects
# (docs/benchmarks.md, "Third round").
ENV NODE_ENV=production MALLOC_ARENA_MAX=2
WORKDIR /app
# Everything stays owned by root and is only readable by the operator's user: the process cannot
# modify its own code, even where the root filesystem is not mounted read-only.
COPY package.json ./
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /src/dist/src ./dist/src
COPY crds ./crds
# A numeric uid/gid (no /etc/passwd entry needed) lets Kubernetes check runAsNonRoot without
# resolving names. 65532 is the usual "nonroot" id of distroless images.
USER 65532:65532
EXPOSE 8080
# Node runs as PID 1 without an init: the operator installs its own SIGTERM/SIGINT handlers (the
# kernel gives PID 1 no default signal actions, so without them SIGTERM would be ignored), and it
# starts no child processes, so there are no zombies to reap.
ENTRYPOINT ["node", "dist/src/cli.js"]
CMD ["run"]
