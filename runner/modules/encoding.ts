// `k6/encoding`: base64 in its four variants; the host does the byte work.
export const encodingSource = /* js */ `
const k6 = globalThis.__k6;
export function b64encode(input, encoding) {
  return k6.host.b64encode(input instanceof ArrayBuffer ? input : String(input), encoding || 'std');
}
export function b64decode(input, encoding, format) {
  return k6.host.b64decode(String(input), encoding || 'std', format === 's');
}
export default { b64encode, b64decode };
`;
