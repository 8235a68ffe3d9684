import { helmBinaries } from '../support/project.js';
import { artifactScenario } from './artifact-scenario.js';

artifactScenario(helmBinaries.helm4, 4);
