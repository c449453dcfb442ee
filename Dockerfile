# Switchboard gateway: one plain `node` process on the compiled source (build/, `npm run build`:
# types erased, nothing else changed), production dependencies only, as the unprivileged `node` user.
# Build: docker build -t switchboard .   Run several: compose.yaml, documented in docs/deployment.md.

FROM node:22-bookworm-slim AS dependencies
WORKDIR /app
COPY package.json package-lock.json ./
COPY patches ./patches
# Exactly the lockfile's production tree: no tsx, no TypeScript, no test tools. No scripts: the
# project's own `prepare` (the build) runs in the build stage, and the one dependency script
# (@apollo/protobufjs' postinstall) only makes a folder for its command-line tool. The project's
# own postinstall is run by name: it applies patches/ (graphql-js's per-field allocations, docs/design.md).
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npx patch-package --error-on-fail && npm cache clean --force

# The server compiled by TypeScript (build/) and GraphiQL at /graphiql bundled with esbuild, both
# development tools: built here, only the results shipped.
FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY bin ./bin
COPY scripts ./scripts
COPY src ./src
RUN npm run build && npm run explorer:build

FROM node:22-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=dependencies /app/node_modules ./node_modules
COPY package.json ./
COPY bin ./bin
COPY schema ./schema
COPY --from=build /app/build ./build
COPY --from=build /app/dist/explorer ./dist/explorer
# The embedded store's default directory (SWITCHBOARD_DATA_DIR=.data/pglite), writable by the
# runtime user; with DATABASE_URL it stays empty.
RUN mkdir -p /app/.data && chown node:node /app/.data
USER node
EXPOSE 4000
# node itself is PID 1 and handles SIGTERM (graceful stop within SWITCHBOARD_SHUTDOWN_TIMEOUT_MS,
# 8 s by default, inside Docker's 10 s stop timeout).
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 4000) + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "--max-semi-space-size=64", "bin/switchboard.js"]
