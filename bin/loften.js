#!/usr/bin/env node
// Runs the TypeScript sources directly, so `npm start`, `npx loften` and CI use the same code without a build step.
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';
// The project's own tsconfig (JSX → preact), not whatever the working directory holds: run from
// elsewhere (cron, a systemd unit without WorkingDirectory) every page was a 500.
register({ tsconfig: fileURLToPath(new URL('../tsconfig.json', import.meta.url)) });
await import('../src/cli.ts');
