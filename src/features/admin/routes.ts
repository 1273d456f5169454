import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../../app.js';

/** The editing side of the pledge register. */
export function adminRoutes(_app: FastifyInstance, _deps: AppDeps): void {}
