import './dashboard.css';
import type { LiveData, MeasurePageData, ReportData, ScorecardData } from '../view-data.ts';
import { byId, fetchView, setState } from './dom.ts';
import { renderLive } from './live-view.ts';
import { renderMeasure } from './measure-view.ts';
import { renderReport } from './report-view.ts';
import { renderScorecard } from './scorecard-view.ts';

/**
 * One script for every view: the page says which (`<body data-view>`), the view asks its one
 * data request and draws. Until then the page says "Loading…"; a failure is said in its place.
 */
async function start(): Promise<void> {
  const body = document.body;
  const view = byId('view');
  const force = encodeURIComponent(body.dataset['force'] ?? '');
  try {
    switch (body.dataset['view']) {
      case 'scorecard':
        renderScorecard(view, await fetchView<ScorecardData>(`/dashboard/data/scorecard?forceId=${force}`));
        break;
      case 'measure':
        renderMeasure(
          view,
          await fetchView<MeasurePageData>(
            `/dashboard/data/measures/${encodeURIComponent(body.dataset['measure'] ?? '')}?forceId=${force}`,
          ),
        );
        break;
      case 'live': {
        const path = `/dashboard/data/live?forceId=${force}`;
        renderLive(view, await fetchView<LiveData>(path), path);
        break;
      }
      case 'report':
        renderReport(view, await fetchView<ReportData>(`/dashboard/data/report?forceId=${force}`));
        break;
      default:
        throw new Error(`unknown view ${body.dataset['view'] ?? ''}`);
    }
    setState('done');
  } catch (error) {
    setState('error', `Could not load this view: ${error instanceof Error ? error.message : String(error)}`);
  }
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', () => void start());
else void start();
