// Random ids for externalSessionId and conversation ids; k6 v0.49 has no crypto.randomUUID.
export function uuid(random: () => number = Math.random): string {
  let out = '';
  for (let i = 0; i < 36; i++) {
    if (i === 8 || i === 13 || i === 18 || i === 23) out += '-';
    else if (i === 14) out += '4';
    else if (i === 19) out += '89ab'[Math.floor(random() * 4)];
    else out += Math.floor(random() * 16).toString(16);
  }
  return out;
}
