// The sandbox issue's proof scenario against the real helm 4 (server-side apply, kstatus watches).
import { helmBinaries } from '../support/project.js';
import { helmScenario } from './helm-scenario.js';

helmScenario({ helm: helmBinaries.helm4, major: 4, readinessDelayMs: 100 });
