// The `name` tag of every Platform API call the suite makes: the endpoint template, so every id lands in one
// time series and thresholds can select an endpoint (`http_req_duration{name:POST /api/v2/...}`).
export const ENDPOINTS = {
  token: 'POST /oauth/token',
  limits: 'GET /api/v2/organizations/limits/namespaces/{namespace}',
  botSessions: 'POST /api/v2/textbots/botflows/sessions',
  botTurns: 'POST /api/v2/textbots/botflows/sessions/{sessionId}/turns',
  agentless: 'POST /api/v2/conversations/messages/agentless',
  callbacks: 'POST /api/v2/conversations/callbacks',
  conversation: 'GET /api/v2/conversations/{conversationId}',
  analyticsDetails: 'GET /api/v2/analytics/conversations/{conversationId}/details',
  detailsJobs: 'POST /api/v2/analytics/conversations/details/jobs',
  detailsJob: 'GET /api/v2/analytics/conversations/details/jobs/{jobId}',
  detailsJobResults: 'GET /api/v2/analytics/conversations/details/jobs/{jobId}/results',
  channels: 'POST /api/v2/notifications/channels',
  subscriptionsAdd: 'POST /api/v2/notifications/channels/{channelId}/subscriptions',
  subscriptionsSet: 'PUT /api/v2/notifications/channels/{channelId}/subscriptions',
} as const;
