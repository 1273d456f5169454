import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../../app.js';

/** OpenID Connect single sign-on per party. */
export function ssoRoutes(_app: FastifyInstance, _deps: AppDeps): void {}
