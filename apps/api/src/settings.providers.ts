import type { Provider } from '@nestjs/common';
import type { SettingsSections } from '#platform';
import { SETTINGS } from './tokens.js';

/** Each settings section under its own token (see SETTINGS). */
export const settingsProviders = (sections: SettingsSections): Provider[] =>
  (Object.keys(SETTINGS) as (keyof SettingsSections)[]).map((name) => ({
    provide: SETTINGS[name],
    useValue: sections[name],
  }));
