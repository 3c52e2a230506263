// Bot flow sessions through the SDK: launching on a configured flow, each turn a TextBotFlowTurnResponse
// (waiting turns with modeConstraints), and the launch refusals.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { detail, ok, refused, sdkOrg } from './harness.ts';

const LAUNCH = {
  flow: { id: 'demo-bot-flow' },
  externalSessionId: 'ext-sdk',
  channel: { name: 'Messaging', inputModes: ['Text'], outputModes: ['Text'], userAgent: { name: 'sdk' } },
};
const userInput = (text: string) => ({
  inputEventType: 'UserInput',
  inputEventUserInput: { mode: 'Text', alternatives: [{ transcript: { text } }] },
});

describe('bot flows through the SDK', async () => {
  const sdk = await sdkOrg();
  const t = sdk.textbots;

  it('runs a session from the greeting to an exit, every turn in the SDK model', async () => {
    const session = await ok(t.postTextbotsBotflowsSessions(LAUNCH), 200, 'TextBotFlowLaunchResponse');
    const first = await ok(
      t.postTextbotsBotflowsSessionTurns(session.id, { inputEventType: 'NoOp' }),
      200,
      'TextBotFlowTurnResponse',
    );
    assert.equal(first.nextActionType, 'WaitForInput');
    assert.deepEqual(first.nextActionWaitForInput.modeConstraints.text.languagePreferences, ['en-us']);
    const { mode: _, ...modeless } = userInput('hi').inputEventUserInput;
    const noMode = await refused(
      t.postTextbotsBotflowsSessionTurns(session.id, {
        inputEventType: 'UserInput',
        previousTurn: { id: first.id },
        inputEventUserInput: modeless,
      } as Parameters<typeof t.postTextbotsBotflowsSessionTurns>[1]),
      400,
      'bad.request',
    );
    assert.deepEqual(detail(noMode), ['inputEventUserInput.mode', 'missing.required.field']);
    const second = await ok(
      t.postTextbotsBotflowsSessionTurns(session.id, {
        ...userInput('opening hours?'),
        previousTurn: { id: first.id },
      }),
      200,
      'TextBotFlowTurnResponse',
    );
    assert.equal(second.previousTurn.id, first.id);
    const last = await ok(
      t.postTextbotsBotflowsSessionTurns(session.id, {
        ...userInput('bye'),
        previousTurn: { id: second.id },
      }),
      200,
      'TextBotFlowTurnResponse',
    );
    assert.equal(last.nextActionType, 'Exit');
    assert.equal(last.nextActionExit.reason, 'Complete');
    await refused(
      t.postTextbotsBotflowsSessionTurns('no-such-session', { inputEventType: 'NoOp' }),
      404,
      'not.found',
    );
  });

  it('refuses a flow the org does not have, and a channel without its userAgent', async () => {
    const flow = await refused(
      t.postTextbotsBotflowsSessions({ ...LAUNCH, flow: { id: 'no-such-flow' } }),
      400,
      'bad.request',
    );
    assert.deepEqual(detail(flow), ['flow.id', 'invalid.value']);
    const { userAgent: _, ...channel } = LAUNCH.channel;
    const agent = await refused(
      t.postTextbotsBotflowsSessions({ ...LAUNCH, channel } as typeof LAUNCH),
      400,
      'bad.request',
    );
    assert.deepEqual(detail(agent), ['channel.userAgent.name', 'missing.required.field']);
  });
});
