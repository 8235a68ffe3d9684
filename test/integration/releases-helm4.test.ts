import { helmBinaries } from '../support/project.js';
import { releasesScenario } from './releases-scenario.js';

releasesScenario(helmBinaries.helm4, 4);
