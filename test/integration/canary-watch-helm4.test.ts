import { helmBinaries } from '../support/project.js';
import { canaryWatchScenario } from './canary-watch-scenario.js';

canaryWatchScenario(helmBinaries.helm4, 4);
