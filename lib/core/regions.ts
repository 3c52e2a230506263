// Genesys Cloud regions and the domain each one serves (api.{domain}, login.{domain}).
export const REGIONS: Readonly<Record<string, string>> = {
  'us-east-1': 'mypurecloud.com',
  'us-east-2': 'use2.us-gov-pure.cloud',
  'us-west-2': 'usw2.pure.cloud',
  'ca-central-1': 'cac1.pure.cloud',
  'eu-west-1': 'mypurecloud.ie',
  'eu-west-2': 'euw2.pure.cloud',
  'eu-central-1': 'mypurecloud.de',
  'eu-central-2': 'euc2.pure.cloud',
  'ap-southeast-2': 'mypurecloud.com.au',
  'ap-northeast-1': 'mypurecloud.jp',
  'ap-northeast-2': 'apne2.pure.cloud',
  'ap-northeast-3': 'apne3.pure.cloud',
  'ap-south-1': 'aps1.pure.cloud',
  'ap-southeast-1': 'apse1.pure.cloud',
  'sa-east-1': 'sae1.pure.cloud',
  'me-central-1': 'mec1.pure.cloud',
  'mx-central-1': 'mxc1.pure.cloud',
};

/** The domain for a region name, or undefined when the name is not a Genesys Cloud region. */
export function regionDomain(region: string): string | undefined {
  return Object.prototype.hasOwnProperty.call(REGIONS, region) ? REGIONS[region] : undefined;
}

export function regionNames(): string[] {
  return Object.keys(REGIONS);
}
