# dnssync image: `docker build -t dnssync .` from the repository root.
# It runs the same build as the npm package: the sources bundled into dist/ by `npm run build`.
# The build reaches only the npm registry and Alpine's package mirrors.
#
#   docker run --rm -v dnssync-data:/data -v "$PWD/dnssync.yaml:/etc/dnssync/dnssync.yaml:ro" \
#     -e DNSSYNC_CONFIG=/etc/dnssync/dnssync.yaml dnssync sync --dry-run
#
# The database is ./dnssync.db in the working directory /data (the volume). DNSSYNC_DB is
# deliberately not set here: it would shadow the legacy DB_PATH, which users of the Python tool
# set to keep their /data/dns_sync.db (see docs/operations.md).

FROM node:24-alpine AS base

# --- build: `npm run build` type-checks src/ and bundles it into dist/. No install script runs: the
# `node` devDependency would fetch a second Node (the image's Node 24 builds) and esbuild needs none.
FROM base AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts/build.ts ./scripts/
COPY src ./src
RUN npm run build

# --- production dependencies only; the `node` devDependency (Node 24 for dev machines) stays out
FROM base AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

# --- runtime
FROM base AS runtime
# tini as PID 1 forwards SIGTERM/SIGINT to dnssync (which finishes its in-flight writes and
# exits 143/130) and reaps zombies. A passwd entry for the numeric user: dnssync records the
# user name of each run. npm and corepack are not needed at run time.
RUN apk add --no-cache tini \
 && addgroup -S -g 10001 dnssync \
 && adduser -S -D -H -u 10001 -G dnssync -h /data -s /sbin/nologin dnssync \
 && mkdir -p /data \
 && chown 10001:10001 /data \
 && chmod 0750 /data \
 && rm -rf /usr/local/lib/node_modules/npm /usr/local/lib/node_modules/corepack \
           /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack \
           /usr/local/bin/yarn /usr/local/bin/yarnpkg /opt/yarn-*

WORKDIR /app
# Application files belong to root: the runtime user can read them, not change them.
COPY --from=deps /app/node_modules ./node_modules
COPY package.json package-lock.json ./
COPY bin ./bin
# dist/ and no src/: bin/dnssync runs the sources only where src/ is beside it (a checkout).
COPY --from=build /app/dist ./dist
RUN chmod 0755 /app/bin/dnssync \
 && ln -s /app/bin/dnssync /usr/local/bin/dnssync

LABEL org.opencontainers.image.title="dnssync" \
      org.opencontainers.image.description="Keeps the local DNS records of many UniFi Network controllers in step" \
      org.opencontainers.image.licenses="MIT"

USER 10001:10001
WORKDIR /data
VOLUME ["/data"]

ENTRYPOINT ["/sbin/tini", "--", "dnssync"]
CMD ["sync"]
