// The seed's JMeter plan as a k6 script: 100 VUs loop a short bot conversation with a constant pause and
// no retry logic at all; a 429 is just a failed sample and the loop carries on. The goodput benchmark
// runs it against the emulator next to the suite's load test. Plain k6 JavaScript: no build step.
import http from 'k6/http';
import encoding from 'k6/encoding';
import { sleep } from 'k6';

const API = __ENV.GENESYSCLOUD_API_URL;
const LOGIN = __ENV.GENESYSCLOUD_LOGIN_URL || API;

export const options = {
  scenarios: {
    naive: {
      executor: 'constant-vus',
      vus: Number(__ENV.VUS || 100),
      duration: __ENV.DURATION || '40s',
      gracefulStop: '5s',
    },
  },
};

export function setup() {
  const basic = encoding.b64encode(
    `${__ENV.GENESYSCLOUD_OAUTHCLIENT_ID}:${__ENV.GENESYSCLOUD_OAUTHCLIENT_SECRET}`,
  );
  const res = http.post(`${LOGIN}/oauth/token`, 'grant_type=client_credentials', {
    headers: { Authorization: `Basic ${basic}`, 'Content-Type': 'application/x-www-form-urlencoded' },
  });
  return { token: res.json('access_token') };
}

export default function (data) {
  const params = {
    headers: { Authorization: `Bearer ${data.token}`, 'Content-Type': 'application/json' },
  };
  const session = http.post(
    `${API}/api/v2/textbots/botflows/sessions`,
    JSON.stringify({
      flow: { id: 'demo-bot-flow' },
      externalSessionId: `naive-${__VU}-${__ITER}`,
      channel: {
        name: 'Messaging',
        inputModes: ['Text'],
        outputModes: ['Text'],
        userAgent: { name: 'jmeter' },
      },
    }),
    params,
  );
  if (session.status === 200) {
    const id = session.json('id');
    let previous;
    for (const text of [undefined, 'What are your opening hours?', 'No thanks, bye']) {
      const body = { inputEventType: text === undefined ? 'NoOp' : 'UserInput' };
      if (previous) body.previousTurn = { id: previous };
      if (text)
        body.inputEventUserInput = { mode: 'Text', alternatives: [{ transcript: { text, confidence: 1 } }] };
      const turn = http.post(
        `${API}/api/v2/textbots/botflows/sessions/${id}/turns`,
        JSON.stringify(body),
        params,
      );
      if (turn.status !== 200) break;
      previous = turn.json('id');
    }
  }
  sleep(Number(__ENV.PAUSE || 1));
}
