import type { KeyboardEvent, PointerEvent } from 'react';

interface SplitDividerProps {
  /** The side panel's width in pixels. */
  width: number;
  min: number;
  max: number;
  onResize(width: number): void;
}

/** The handle between the pods table and the detail panel: drag it, or use the arrow keys. */
export function SplitDivider({ width, min, max, onResize }: SplitDividerProps) {
  const clamp = (w: number) => Math.round(Math.min(max, Math.max(min, w)));
  const onPointerDown = (e: PointerEvent<HTMLDivElement>) => {
    e.preventDefault();
    const startX = e.clientX;
    const startWidth = width;
    const target = e.currentTarget;
    target.setPointerCapture(e.pointerId);
    const move = (ev: globalThis.PointerEvent) => onResize(clamp(startWidth + startX - ev.clientX));
    const up = () => {
      target.removeEventListener('pointermove', move);
      target.removeEventListener('pointerup', up);
    };
    target.addEventListener('pointermove', move);
    target.addEventListener('pointerup', up);
  };
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.key === 'ArrowLeft') onResize(clamp(width + 24));
    else if (e.key === 'ArrowRight') onResize(clamp(width - 24));
    else return;
    e.preventDefault();
  };
  return (
    <div
      className="split-divider"
      role="separator"
      aria-orientation="vertical"
      aria-label="Resize the pod details"
      aria-valuenow={width}
      aria-valuemin={min}
      aria-valuemax={max}
      tabIndex={0}
      data-testid="pods-divider"
      onPointerDown={onPointerDown}
      onKeyDown={onKeyDown}
    />
  );
}
