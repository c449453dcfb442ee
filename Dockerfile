# Switchboard gateway: one plain `node` process on the type-stripped TypeScript source (Node 22.18+
# runs .ts itself), production dependencies only, as the unprivileged `node` user.
# Build: docker build -t switchboard .   Run several: compose.yaml, documented in docs/deployment.md.

FROM node:22-bookworm-slim AS dependencies
WORKDIR /app
COPY package.json package-lock.json ./
# Exactly the lockfile's production tree: no tsx, no TypeScript, no test tools.
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# GraphiQL at /graphiql is bundled with esbuild, a development tool: build it here, ship the result.
FROM node:22-bookworm-slim AS explorer
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY scripts ./scripts
COPY src ./src
RUN npm run explorer:build

FROM node:22-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=dependencies /app/node_modules ./node_modules
COPY package.json ./
COPY bin ./bin
COPY schema ./schema
COPY src ./src
COPY --from=explorer /app/dist/explorer ./dist/explorer
# The embedded store's default directory (SWITCHBOARD_DATA_DIR=.data/pglite), writable by the
# runtime user; with DATABASE_URL it stays empty.
RUN mkdir -p /app/.data && chown node:node /app/.data
USER node
EXPOSE 4000
# node itself is PID 1 and handles SIGTERM (graceful stop within SWITCHBOARD_SHUTDOWN_TIMEOUT_MS,
# 8 s by default, inside Docker's 10 s stop timeout).
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 4000) + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "--max-semi-space-size=32", "bin/switchboard.js"]
