import { describe, expect, it } from '@jest/globals';
import { AGENTS, agentById, isAgentId, routeToAgent } from './agent.registry.js';

describe('agent registry', () => {
  it('knows every agent of the seed once, each with a name and a description', () => {
    const ids = AGENTS.map((a) => a.id);
    for (const id of [
      'abaporu',
      'zumbi',
      'anita',
      'tiradentes',
      'drummond',
      'machado',
      'bonifacio',
      'maria_quiteria',
      'oxossi',
      'dandara',
      'lampiao',
      'nana',
      'ceuci',
      'obaluaie',
      'senna',
    ]) {
      expect(ids).toContain(id);
    }
    expect(new Set(ids).size).toBe(ids.length);
    for (const agent of AGENTS)
      expect(agent.name.length * agent.description.length * agent.role.length).toBeGreaterThan(0);
  });

  it('routes small talk to Drummond, investigations to Zumbi and the unknown to Abaporu', () => {
    for (const intent of ['greeting', 'thanks', 'goodbye', 'help_request', 'about_system'] as const)
      expect(routeToAgent(intent).agent.id).toBe('drummond');
    for (const intent of ['investigate', 'investigation_status', 'explain_anomaly'] as const)
      expect(routeToAgent(intent).agent.id).toBe('zumbi');
    expect(routeToAgent('unknown')).toEqual({ agent: agentById('abaporu'), reason: 'intent' });
  });

  it('lets an explicit agent win, and ignores one it does not know', () => {
    expect(routeToAgent('greeting', 'tiradentes')).toEqual({ agent: agentById('tiradentes'), reason: 'requested' });
    expect(routeToAgent('greeting', 'nobody').agent.id).toBe('drummond');
    expect(isAgentId('nobody')).toBe(false);
    expect(() => agentById('nobody')).toThrow(RangeError);
  });
});
