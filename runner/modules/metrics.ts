// `k6/metrics`: Counter, Gauge, Rate, Trend. Definitions go to the host once, samples through emit.
export const metricsSource = /* js */ `
const k6 = globalThis.__k6;
const NAME = /^[a-zA-Z_][a-zA-Z0-9_]{1,128}$/;

function make(type) {
  return class {
    constructor(name, isTime) {
      k6.initOnly('Metrics');
      name = String(name);
      if (!NAME.test(name)) {
        throw new Error('Invalid metric name: \\'' + name + '\\'. Metric names must be 1-128 ASCII letters, numbers or underscores and start with a letter or underscore.');
      }
      const contains = isTime ? 'time' : 'default';
      const err = k6.host.define(name, type, contains);
      if (err) throw new Error(err);
      Object.defineProperty(this, 'name', { value: name, enumerable: true });
      Object.defineProperty(this, 'type', { value: type, enumerable: true });
    }
    add(value, tags) {
      if (k6.state.init) throw new Error('Using metrics in the init context is not supported');
      if (typeof value === 'boolean') value = value ? 1 : 0;
      const v = value === null || value === undefined ? NaN : Number(value);
      if (isNaN(v)) {
        const msg = 'the value added to the metric ' + this.name + ' is not a number';
        if (k6.state.throwErrors) throw new Error(msg);
        k6.host.log('warning', msg);
        return false;
      }
      k6.emitJSON(this.name, v, k6.tagsJSON(tags));
      return true;
    }
  };
}

export const Counter = make('counter');
export const Gauge = make('gauge');
export const Rate = make('rate');
export const Trend = make('trend');
export default { Counter, Gauge, Rate, Trend };
`;
