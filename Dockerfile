# Medborgarlöften in a container. Not built in CI here (no registry for base images); see docs/OPERATIONS.md.
#   docker build -t loften .
#   docker run -p 3000:3000 -v loften-data:/data -e PUBLIC_BASE_URL=https://… loften
# For PostgreSQL pass -e DATABASE_URL=postgres://…; the /data volume is then unused.

# --- build: native modules (better-sqlite3, argon2) compile here if no prebuilt binary fits ----------
FROM node:20-bookworm-slim AS build
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
# tsx runs the TypeScript sources directly, so it is a runtime dependency; dev tools stay out.
RUN npm ci --omit=dev --no-audit --no-fund
COPY bin ./bin
COPY src ./src
COPY public ./public
COPY tsconfig.json ./

# --- run ---------------------------------------------------------------------------------------------
FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATABASE_URL=sqlite:/data/loften.db \
    LOFTEN_DEMO=false
# Behind a reverse proxy on another address, set TRUST_PROXY to that address (docs/OPERATIONS.md).
WORKDIR /app
COPY --from=build /app /app
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 3000
# Liveness only: readiness (/readyz) is for the orchestrator's load balancer, not for restarts.
HEALTHCHECK --interval=30s --timeout=3s --start-period=30s \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# Node as PID 1 handles SIGTERM itself (graceful shutdown); no init wrapper needed.
CMD ["node", "bin/loften.js", "serve"]
