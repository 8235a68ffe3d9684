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

/** A float already formatted the way yaml.v3 writes it. */
export class YamlFloatText {
  constructor(readonly text: string) {}
}

/** A time as yaml.v3 writes a time.Time: its RFC 3339 text, unquoted. */
export class YamlTimeText {
  constructor(readonly text: string) {}
}

/** Writes YamlFloatText values as they are, untagged (the yaml library would print JavaScript's number format). */
const GO_FLOAT_TAG = {
  identify: (value: unknown) => value instanceof YamlFloatText,
  default: true,
  tag: 'tag:yaml.org,2002:float',
  resolve: (text: string) => Number(text),
  stringify: (item: { value: unknown }) => (item.value as YamlFloatText).text,
};

const GO_TIME_TAG = {
  identify: (value: unknown) => value instanceof YamlTimeText,
  default: true,
  tag: 'tag:yaml.org,2002:timestamp',
  resolve: (text: string) => text,
  stringify: (item: { value: unknown }) => (item.value as YamlTimeText).text,
};

/** Custom tags for a Document that is written with YamlFloatText and YamlTimeText values. */
export const GO_SCALAR_TAGS = [GO_FLOAT_TAG, GO_TIME_TAG];
