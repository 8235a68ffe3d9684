import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareVersions, isPrerelease, newestVersion, nextPrerelease, resolveChartVersion } from '../../src/core/chart-version.js';
import { isChartctlError } from '../../src/core/errors.js';

test('--version keywords bump the chart version; literals are validated', () => {
  assert.equal(resolveChartVersion('1.4.0', undefined), '1.4.0');
  assert.equal(resolveChartVersion('1.4.0', 'patch'), '1.4.1');
  assert.equal(resolveChartVersion('1.4.0', 'minor'), '1.5.0');
  assert.equal(resolveChartVersion('1.4.0', 'major'), '2.0.0');
  assert.equal(resolveChartVersion('1.4.0', '2.0.0-rc.1'), '2.0.0-rc.1');
  assert.equal(resolveChartVersion('1.4.0', 'v2.1.0'), '2.1.0');
  for (const bad of ['1.4', 'latest', '01.2.3', '1.2.3.4']) {
    assert.throws(() => resolveChartVersion('1.4.0', bad), (e: unknown) => isChartctlError(e) && e.code === 'VERSION_INVALID', bad);
  }
});

test('a prerelease build carries the channel, the commit count and the commit', () => {
  assert.equal(resolveChartVersion('1.4.0', 'prerelease', { id: 'dev', counter: 7, commit: '1a2b3c4d5e6f' }), '1.4.1-dev.7+g1a2b3c4');
  assert.equal(resolveChartVersion('1.4.0-rc.1', 'prerelease', { id: 'dev', counter: 2 }), '1.4.0-dev.2');
  assert.throws(() => resolveChartVersion('1.4.0', 'prerelease', { id: '42', counter: 1 }), (e: unknown) => isChartctlError(e));
  // Builds of one base version sort by their counter.
  assert.ok(compareVersions('1.4.0-dev.10+gaaaaaaa', '1.4.0-dev.9+gbbbbbbb') > 0);
  assert.ok(compareVersions('1.4.0', '1.4.0-dev.10') > 0);
});

test('newest version follows the environment rules', () => {
  const versions = ['1.2.0', '1.10.0-dev.1', '1.9.0', '1.3.0-rc.1'];
  assert.equal(newestVersion(versions), '1.10.0-dev.1');
  assert.equal(newestVersion(versions, { allowPrerelease: false }), '1.9.0');
  assert.equal(newestVersion(['1.0.0-dev.1'], { allowPrerelease: false }), undefined);
  assert.equal(isPrerelease('1.0.0+build'), false);
  assert.equal(isPrerelease('1.0.0-0'), true);
});

test('versions with build metadata are valid chart versions', async () => {
  const { isValidChartVersion } = await import('../../src/core/chart-version.js');
  assert.equal(isValidChartVersion('1.0.0-dev.1+ga5eca4c'), true);
  assert.equal(isValidChartVersion('1.0.0+build.7'), true);
  assert.equal(isValidChartVersion('v1.0.0'), false);
  assert.equal(isValidChartVersion('1.0'), false);
});

test('one prerelease scheme: always above every release in the repository, builds numbered after the highest there', () => {
  // [Chart.yaml version, repository versions, counter, expected]
  const cases: [string, string[], number | undefined, string][] = [
    ['0.2.1', [], undefined, '0.2.2-dev.0'],
    ['0.2.1', ['0.2.0', '0.2.1'], undefined, '0.2.2-dev.0'],
    ['0.2.1', ['0.2.1'], 4, '0.2.2-dev.4'], // the issue: publish right after 0.2.1 gave 0.2.1-dev.4, below 0.2.1
    ['0.2.1', ['0.2.1', '0.2.2-dev.0', '0.2.2-dev.1'], undefined, '0.2.2-dev.2'],
    ['0.2.1', ['0.2.1', '0.2.2-dev.9+gabc1234'], 4, '0.2.2-dev.10'], // the commit count only sets a minimum
    ['0.2.1', ['0.2.1', '0.2.2-dev.3'], 12, '0.2.2-dev.12'],
    ['0.2.1', ['0.2.1', '0.2.2-rc.5'], undefined, '0.2.3-dev.0'], // rc sorts above dev: the next patch
    ['0.2.1', ['0.2.1', '0.2.2-alpha.5'], undefined, '0.2.2-dev.0'], // alpha sorts below dev: it does not number dev builds
    ['0.2.0', ['0.2.1', '0.3.0'], undefined, '0.3.1-dev.0'], // Chart.yaml behind the repository: above its newest release
    ['0.2.1', ['0.2.1', '0.3.0-dev.4'], undefined, '0.3.0-dev.5'], // another branch's later prerelease base
    ['1.0.0', ['0.9.0'], undefined, '1.0.1-dev.0'],
    ['1.5.0-rc.1', [], undefined, '1.5.0-dev.0'], // a prerelease Chart.yaml names the release it leads to
    ['1.5.0-dev.3', [], undefined, '1.5.0-dev.4'], // bump prerelease twice: dev.3 then dev.4
    ['1.5.0-dev.3', ['1.5.0-dev.7'], undefined, '1.5.0-dev.8'],
    ['1.5.0-rc.1', ['1.5.0'], undefined, '1.5.1-dev.0'], // the release it named is out
  ];
  for (const [current, published, counter, expected] of cases) {
    const next = nextPrerelease(current, { id: 'dev', published, counter });
    assert.equal(next, expected, `${current} with [${published.join(', ')}] counter ${counter}`);
    for (const p of published.filter((v) => !isPrerelease(v))) assert.ok(compareVersions(next, p) > 0, `${next} sorts above release ${p}`);
    assert.equal(newestVersion([...published, next]), next, `${next} is what diff, deploy and watch pick`);
  }
  assert.equal(nextPrerelease('0.2.1', { id: 'dev', published: ['0.2.1'], counter: 4, commit: '1a2b3c4d5e' }), '0.2.2-dev.4+g1a2b3c4');
  assert.equal(resolveChartVersion('0.2.1', 'prerelease', { id: 'rc', published: ['0.2.1', '0.2.2-rc.0'] }), '0.2.2-rc.1', 'resolveChartVersion (publish, package) uses it');
  for (const bad of ['42', 'a.b', '']) assert.throws(() => nextPrerelease('1.0.0', { id: bad }), (e: unknown) => isChartctlError(e) && e.code === 'VERSION_INVALID', bad);
});

test("isValidChartVersion accepts exactly what semver's strict parse accepts and writes back unchanged", async () => {
  const { isValidChartVersion } = await import('../../src/core/chart-version.js');
  const { default: parse } = await import('semver/functions/parse.js');
  // The rule it replaces: semver.valid() drops build metadata, so the parsed parts are compared with the text.
  const semverRule = (v: string) => {
    const parsed = parse(v, { loose: false });
    return parsed !== null && v === `${parsed.version}${parsed.build.length ? `+${parsed.build.join('.')}` : ''}`;
  };
  const corpus = [
    '0.0.0', '1.2.3', '10.20.30', '1.0.0-0', '1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-0.3.7', '1.0.0-x.7.z.92', '1.0.0-x-y-z.--',
    '1.0.0--', '1.0.0-0a', '1.0.0-a0', '1.0.0-00', '1.0.0-01', '1.0.0-0.01', '1.0.0+20130313144700', '1.0.0-beta+exp.sha.5114f85',
    '1.0.0+21AF26D3----117B344092BD', '1.0.0+', '1.0.0-', '1.0.0-.a', '1.0.0-a.', '1.0.0+a..b', '1.0.0+0001', '1.0.0-a_b', '1.0.0+a_b',
    '01.0.0', '1.01.0', '1.0.01', 'v1.0.0', '=1.0.0', ' 1.0.0', '1.0.0 ', '1.0.0\n', '1.0', '1', '', '1.0.0.0', 'a.b.c', '1.0.0-ä',
    '１.0.0', '9007199254740991.0.0', '9007199254740992.0.0', '0.9007199254740991.0', '0.0.99999999999999999',
    '1.0.0-9007199254740991', '1.0.0-9007199254740992', '1.0.0-99999999999999999999',
    `1.0.0-${'a'.repeat(250)}`, `1.0.0-${'a'.repeat(251)}`, `1.0.0+${'b'.repeat(250)}`, `1.0.0+${'b'.repeat(251)}`,
  ];
  for (const v of corpus) assert.equal(isValidChartVersion(v), semverRule(v), JSON.stringify(v));
  // The corpus holds both answers, at the length limit too.
  assert.ok(isValidChartVersion(`1.0.0-${'a'.repeat(250)}`) && !isValidChartVersion(`1.0.0-${'a'.repeat(251)}`));
});
