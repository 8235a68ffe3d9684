import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errorReport } from '../../src/cli/error-report.js';
import { cancelled, ChartctlError } from '../../src/core/errors.js';

test('answering n at a prompt is reported as cancelled (exit 1), not as an error: with a --yes hint', () => {
  const err = cancelled('Deploy to dev cancelled; nothing was changed.');
  assert.equal(err.exitCode, 1);
  const report = errorReport(err, (t) => t);
  assert.equal(report.stderr, 'chartctl: Deploy to dev cancelled; nothing was changed.\n');
  assert.deepEqual(report.json, { error: { code: 'CANCELLED', message: 'Deploy to dev cancelled; nothing was changed.' } });
  const refusal = errorReport(new ChartctlError('No.', { code: 'NOT_CONFIRMED', hint: 'pass --yes' }), (t) => t.replace('No', '***'));
  assert.equal(refusal.stderr, 'error: ***.\nhint: pass --yes\n');
});
