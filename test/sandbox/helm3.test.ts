// The sandbox issue's proof scenario against the real helm 3 (create + three-way strategic merge patches, polling waits).
import { helmBinaries } from '../support/project.js';
import { helmScenario } from './helm-scenario.js';

helmScenario({ helm: helmBinaries.helm3, major: 3, readinessDelayMs: 100 });
