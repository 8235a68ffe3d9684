import { helmBinaries } from '../support/project.js';
import { blueGreenScenario } from './blue-green-scenario.js';

blueGreenScenario(helmBinaries.helm4, 4);
