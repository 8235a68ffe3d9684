import type { RegisterCommand } from '../context.js';
import { registerInit } from './init.js';
import { registerEnvs } from './envs.js';
import { registerLint } from './lint.js';
import { registerTemplate } from './template.js';
import { registerValidate } from './validate.js';
import { registerSetImage } from './set-image.js';
import { registerBump } from './bump.js';
import { registerDiff } from './diff.js';
import { registerDeploy } from './deploy.js';
import { registerRollback } from './rollback.js';
import { registerHistory } from './history.js';
import { registerStatus } from './status.js';
import { registerWatch } from './watch.js';
import { registerPackage } from './package.js';
import { registerPublish } from './publish.js';
import { registerPromote } from './promote.js';
import { registerRepo } from './repo.js';
import { registerSandbox } from './sandbox.js';
import { registerSecrets } from './secrets.js';
import { registerCompletion } from './completion.js';
import { registerVersion } from './version.js';

/** Every command, in the order `chartctl --help` lists them. One line per command file. */
export const commands: RegisterCommand[] = [
  registerInit,
  registerEnvs,
  registerTemplate,
  registerLint,
  registerValidate,
  registerSetImage,
  registerBump,
  registerDiff,
  registerDeploy,
  registerRollback,
  registerHistory,
  registerStatus,
  registerWatch,
  registerPackage,
  registerPublish,
  registerPromote,
  registerRepo,
  registerSandbox,
  registerSecrets,
  registerCompletion,
  registerVersion,
];
