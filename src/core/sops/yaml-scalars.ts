import { stringify } from 'yaml';

/**
 * Strings a YAML 1.1 reader (yaml.v3's emitter, helm's sigs.k8s.io/yaml) would
 * take for something else: old booleans, timestamps, legacy octal and
 * underscored numbers. yaml.v3 quotes these, and so does chartctl, so a file
 * written by chartctl reads back the same in sops and in helm.
 */
export function isYaml11Ambiguous(text: string): boolean {
  return (
    /^(y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF)$/.test(text) ||
    /^\d{4}-\d\d?-\d\d?([Tt ]|$)/.test(text) ||
    /^[-+]?(0[0-7_]+|0b[01_]+|\d[\d_]*_[\d_]*)$/.test(text) ||
    /^[-+]?\d[\d_]*(:[0-5]?\d)+(\.[\d_]*)?$/.test(text)
  );
}

/** A string as a YAML scalar the way yaml.v3 writes it: plain when unambiguous, else double-quoted. */
export function yamlStringScalar(text: string): string {
  if (text !== '' && !text.includes('\n') && !isYaml11Ambiguous(text)) {
    const plain = stringify(text, { lineWidth: 0 }).replace(/\n$/, '');
    if (plain === text) return text;
  }
  return JSON.stringify(text);
}
