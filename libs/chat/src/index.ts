export * from './chat.events.js';
export * from './chat.catalog.js';
export * from './chat-session.owner.js';
export * from './chat.commands.js';
export * from './chat.state.js';
export * from './chat.decider.js';
export * from './chat-wire.projection.js';
export * from './chat-history.projection.js';
export * from './chat-event.reader.js';
export * from './chat-histories.projection.js';
export * from './intent/intent.model.js';
export {
  trainIntentClassifier,
  splitUtterances,
  evaluateHeldOut,
  type IntentClassifier,
  type IntentEvaluation,
} from './intent/intent.classifier.js';
export { LABELLED_UTTERANCES } from './intent/utterances.pt-BR.js';
export * from './agents/agent.registry.js';
export { chunkAnswer, estimateTokens, estimateTokensOfLength } from './text/answer.chunker.js';
export { composeSmallTalk } from './compose/small-talk.composer.js';
export {
  composeInvestigationStatus,
  composeAnomalyExplanation,
  START_REFUSED,
} from './compose/investigation-facts.composer.js';
export {
  narrateInvestigationOpening,
  narrateInvestigationEvent,
  ANOMALIES_ANNOUNCED_LIVE,
} from './compose/investigation-narration.js';
export * from './chat-investigation-following.workflow.js';
