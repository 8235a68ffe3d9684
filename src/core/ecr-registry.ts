/** An Amazon ECR private registry, as its host name spells it. */
export interface EcrRegistry {
  account: string;
  region: string;
}

/**
 * `<account>.dkr.ecr[-fips].<region>.amazonaws.com[.cn]` (the host names ECR
 * hands out, China regions included): chartctl can get a token for these from
 * the AWS credential chain, so they need no `docker-credential-ecr-login`.
 */
const ECR_HOST = /^(\d{12})\.dkr\.ecr(?:-fips)?\.([a-z]{2}(?:-[a-z]+)+-\d+)\.amazonaws\.com(?:\.cn)?$/;

export function ecrRegistryOf(host: string): EcrRegistry | undefined {
  const match = ECR_HOST.exec(host.toLowerCase().replace(/:443$/, ''));
  return match ? { account: match[1]!, region: match[2]! } : undefined;
}

/** ECR's token is base64 of `AWS:<password>`; anything else is not a token chartctl can use. */
export function decodeEcrToken(token: string): { username: string; secret: string } | undefined {
  const decoded = Buffer.from(token, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon > 0 && colon < decoded.length - 1 ? { username: decoded.slice(0, colon), secret: decoded.slice(colon + 1) } : undefined;
}
