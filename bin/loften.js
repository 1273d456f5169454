#!/usr/bin/env node
// Runs the TypeScript sources directly, so `npm start`, `npx loften` and CI use the same code without a build step.
import { register } from 'tsx/esm/api';
register();
await import('../src/cli.ts');
