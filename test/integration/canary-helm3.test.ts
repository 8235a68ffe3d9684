import { helmBinaries } from '../support/project.js';
import { canaryScenario } from './canary-scenario.js';

canaryScenario(helmBinaries.helm3, 3);
