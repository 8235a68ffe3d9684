import type { RegisterCommand } from '../context.js';
import { registerEnvs } from './envs.js';
import { registerLint } from './lint.js';
import { registerTemplate } from './template.js';
import { registerSetImage } from './set-image.js';

/** Every command, in the order `chartctl --help` lists them. One line per command file. */
export const commands: RegisterCommand[] = [
  registerEnvs,
  registerTemplate,
  registerLint,
  registerSetImage,
];
