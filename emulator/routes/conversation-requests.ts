// The bodies of POST /api/v2/conversations/calls (CreateCallRequest) and
// POST /api/v2/conversations/messages/agentless (SendAgentlessOutboundMessageRequest): their JSON types as the
// platform's models declare them, then the platform's rules, each refused with a 400 naming the field.
import { badRequest, invalidField, missingField } from '../errors.ts';
import { checkShape, isObject, requireBody, type Json, type Shape } from '../validate.ts';

const strings: Shape = { array: 'string' };
const destination: Shape = {
  object: { address: 'string', name: 'string', userId: 'string', queueId: 'string' },
};

const CREATE_CALL: Shape = {
  object: {
    phoneNumber: 'string',
    callerId: 'string',
    callerIdName: 'string',
    callFromQueueId: 'string',
    callQueueId: 'string',
    callUserId: 'string',
    priority: 'integer',
    attributes: { map: 'string' },
    languageId: 'string',
    routingSkillsIds: strings,
    routingSkillExpression: 'string',
    conversationIds: strings,
    participants: { array: destination },
    uuiData: 'string',
    externalContactId: 'string',
    label: 'string',
  },
};

/** What a call dials: one number, user or queue, or a conference of destinations or of existing calls. */
const CALL_TARGETS = ['phoneNumber', 'callUserId', 'callQueueId', 'participants', 'conversationIds'] as const;

export interface CallRequest {
  /** The address the customer side is reached at; undefined for a conference. */
  address?: string;
  /** Which field named it: a user or a queue is dialled as that user or queue, not as a customer. */
  target?: 'phoneNumber' | 'callUserId' | 'callQueueId';
  /** One address per destination of a conference. */
  destinations: string[];
  /** The queues conference destinations name, by index: each must exist. */
  queueIds: [number, string][];
}

const present = (v: unknown) => v !== undefined && v !== null && v !== '';

function missing(field: string): never {
  throw missingField(field);
}

export function parseCallRequest(body: unknown): CallRequest {
  const b = requireBody(body);
  checkShape(b, CREATE_CALL);
  const targets = CALL_TARGETS.filter((f) => present(b[f]));
  if (targets.length === 0) missing('phoneNumber');
  if (targets.length > 1)
    throw invalidField(targets[1], `give one of ${CALL_TARGETS.join(', ')}; ${targets[0]} is given already`);
  const target = targets[0];
  if (target === 'participants' || target === 'conversationIds') {
    const list = b[target] as unknown[];
    if (list.length === 0) throw invalidField(target, 'must list at least one entry');
    if (target === 'conversationIds') {
      const i = list.findIndex((id) => id === '');
      if (i >= 0) missing(`conversationIds[${i}]`);
      return { destinations: [], queueIds: [] };
    }
    const queueIds: [number, string][] = [];
    const destinations = (list as Json[]).map((d, i) => {
      if (present(d.queueId)) queueIds.push([i, d.queueId as string]);
      // A destination with only a name dials nobody.
      const address = [d.address, d.userId, d.queueId].find(present);
      if (address === undefined) missing(`participants[${i}].address`);
      return address as string;
    });
    return { destinations, queueIds };
  }
  return { address: b[target] as string, target, destinations: [], queueIds: [] };
}

const templateParameter: Shape = { object: { id: 'string', value: 'string' } };
const parameters: Shape = { array: templateParameter };
const card: Shape = {
  object: { index: 'integer', bodyParameters: parameters, buttonUrlParameters: parameters },
};
const messagingTemplate: Shape = {
  object: {
    responseId: 'string',
    parameters,
    headerParameters: parameters,
    bodyParameters: parameters,
    buttonUrlParameters: parameters,
    carouselParameters: { object: { cardParameters: { array: card } } },
  },
};

const SEND_AGENTLESS: Shape = {
  object: {
    fromAddress: 'string',
    toAddress: 'string',
    externalContactId: 'string',
    toAddressMessengerType: 'string',
    textBody: 'string',
    messagingTemplate,
    useExistingActiveConversation: 'boolean',
  },
};

const MESSENGER_TYPES = ['sms', 'whatsapp', 'open'] as const;
/** The platform's documented maximum characters of textBody: SMS 765, every other channel 2000. */
const TEXT_MAX: Record<string, number> = { sms: 765, whatsapp: 2000, open: 2000 };
const PARAMETER_LISTS = ['parameters', 'headerParameters', 'bodyParameters', 'buttonUrlParameters'] as const;

export interface AgentlessRequest {
  fromAddress: string;
  toAddress?: string;
  externalContactId?: string;
  messengerType: (typeof MESSENGER_TYPES)[number];
  textBody?: string;
  useExistingActiveConversation?: boolean;
}

function requireText(b: Json, field: string): string {
  if (!present(b[field])) missing(field);
  return b[field] as string;
}

/** Every parameter substitutes one named placeholder: both its id and its value are needed. */
function checkParameters(list: unknown, path: string): void {
  if (!Array.isArray(list)) return;
  for (const [i, p] of (list as Json[]).entries()) {
    if (!present(p.id)) missing(`${path}[${i}].id`);
    if (p.value === undefined || p.value === null) missing(`${path}[${i}].value`);
  }
}

function checkTemplate(t: Json): void {
  if (!present(t.responseId)) missing('messagingTemplate.responseId');
  for (const list of PARAMETER_LISTS) checkParameters(t[list], `messagingTemplate.${list}`);
  const cards = isObject(t.carouselParameters) ? t.carouselParameters.cardParameters : undefined;
  if (Array.isArray(cards))
    for (const [i, c] of (cards as Json[]).entries())
      for (const list of ['bodyParameters', 'buttonUrlParameters'])
        checkParameters(c[list], `messagingTemplate.carouselParameters.cardParameters[${i}].${list}`);
}

export function parseAgentlessRequest(body: unknown): AgentlessRequest {
  const b = requireBody(body);
  checkShape(b, SEND_AGENTLESS);
  const fromAddress = requireText(b, 'fromAddress');
  if (!present(b.toAddress) && !present(b.externalContactId)) missing('toAddress');
  const type = requireText(b, 'toAddressMessengerType');
  if (!(MESSENGER_TYPES as readonly string[]).includes(type))
    throw invalidField('toAddressMessengerType', `must be one of ${MESSENGER_TYPES.join(', ')}`);
  const messengerType = type as AgentlessRequest['messengerType'];
  const hasText = present(b.textBody);
  const t = isObject(b.messagingTemplate) ? b.messagingTemplate : undefined;
  if (hasText && t)
    throw badRequest('textBody and messagingTemplate cannot be sent together: send one of them.', [
      { errorCode: 'invalid.value', fieldName: 'messagingTemplate' },
    ]);
  // WhatsApp opens a conversation with an approved template only; SMS and open messaging send text.
  if (messengerType === 'whatsapp') checkTemplate(t ?? missing('messagingTemplate'));
  else if (!hasText) missing('textBody');
  const textBody = hasText ? (b.textBody as string) : undefined;
  if (textBody !== undefined && textBody.length > TEXT_MAX[messengerType])
    throw invalidField(
      'textBody',
      `must be at most ${TEXT_MAX[messengerType]} characters for ${messengerType}`,
    );
  return {
    fromAddress,
    toAddress: present(b.toAddress) ? (b.toAddress as string) : undefined,
    externalContactId: present(b.externalContactId) ? (b.externalContactId as string) : undefined,
    messengerType,
    textBody,
    useExistingActiveConversation: b.useExistingActiveConversation as boolean | undefined,
  };
}
