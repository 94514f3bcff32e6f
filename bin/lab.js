#!/usr/bin/env node
// The `lab` command: loads the TypeScript CLI through tsx's loader (no build step).
import { register } from 'tsx/esm/api';

register();
await import('../lab/cli.ts');
