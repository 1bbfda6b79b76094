# One image, two processes (api and workers), as in docker-compose.yml. Node 26 LTS (the active
# line since 2026-10-28) on Debian 13; the project is also tested on Node 20.19+ (see README).
FROM node:26-trixie-slim AS build
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY apps ./apps
COPY libs ./libs
COPY bench ./bench
COPY packages ./packages
COPY scripts ./scripts
RUN npm run build && npm prune --omit=dev

FROM node:26-trixie-slim
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# npm run token (signs with the deployment's JWT_SECRET) and the health check below.
COPY --from=build /app/scripts ./scripts
# Served by GET /api/v1/observability/dashboard.
COPY docker/grafana/dashboards ./docker/grafana/dashboards
USER node
EXPOSE 8000
# The api's readiness; compose points the workers' check at their METRICS_PORT.
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 CMD ["node", "scripts/healthcheck.mjs"]
CMD ["node", "dist/apps/api/src/main.js"]
