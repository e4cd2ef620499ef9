import type { Browser } from 'playwright-core';

/** The size of the picture `drawPicture` makes, in pixels. */
export const PICTURE = { width: 320, height: 200 } as const;

/**
 * A PNG picture of an office (sky, towers, a caption), PICTURE in size, drawn by the browser
 * itself: a real image for a recruiter to send, with nothing checked in.
 */
export async function drawPicture(browser: Browser): Promise<Buffer> {
  const page = await browser.newPage({ viewport: PICTURE });
  try {
    await page.setContent(`
      <body style="margin:0;width:${PICTURE.width}px;height:${PICTURE.height}px;overflow:hidden;
        background:linear-gradient(#8ec5fc,#e0c3fc);font-family:sans-serif">
        <div style="position:absolute;bottom:0;left:40px;width:70px;height:120px;background:#3c4a6b"></div>
        <div style="position:absolute;bottom:0;left:120px;width:90px;height:160px;background:#2f6fed"></div>
        <div style="position:absolute;bottom:0;left:220px;width:60px;height:90px;background:#4a5a80"></div>
        <div style="position:absolute;top:12px;left:14px;color:#1d2433;font-weight:600">Our office</div>
      </body>`);
    return await page.screenshot({ type: 'png' });
  } finally {
    // A page of its own context: closing it closes the context too.
    await page.close();
  }
}
