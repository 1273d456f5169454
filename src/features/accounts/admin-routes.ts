import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../../app.js';

/** Staff management: users of a party, the mail outbox. */
export function accountAdminRoutes(_app: FastifyInstance, _deps: AppDeps): void {}
