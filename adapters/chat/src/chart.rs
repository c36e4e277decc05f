//! Charts on cards, drawn by the server as PNG (no fonts, no outside service): stacked bars of
//! open findings by severity, one bar per period, for a digest's trend. The numbers themselves
//! are in the card's text and in the chart's alternative text; the picture shows the shape.

use base64::Engine as _;
use serde::{Deserialize, Serialize};

use crate::vocabulary::Severity;

/// A picture on a card: a PNG with the words that describe it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Chart {
    /// What it shows, for screen readers and platforms that show no images.
    pub alt: String,
    /// The PNG, base64-encoded.
    pub png: String,
}

impl Chart {
    /// The PNG's bytes.
    pub fn bytes(&self) -> Vec<u8> {
        base64::engine::general_purpose::STANDARD.decode(&self.png).unwrap_or_default()
    }

    /// A `data:` URL of the PNG, for cards that embed images.
    pub fn data_url(&self) -> String {
        format!("data:image/png;base64,{}", self.png)
    }
}

/// The width and height of a trend chart, in pixels.
pub const TREND_SIZE: (u32, u32) = (640, 240);

/// The color a severity is drawn in (RGB).
fn color(level: Severity) -> [u8; 3] {
    match level {
        Severity::Critical => [0xb3, 0x26, 0x1e],
        Severity::High => [0xe8, 0x71, 0x0a],
        Severity::Medium => [0xf2, 0xc0, 0x37],
        Severity::Low => [0x7a, 0x8a, 0x99],
    }
}

/// Stacked bars, one per period (oldest first), each split by severity (counts in
/// [`Severity::ALL`] order, most serious at the bottom); `alt` describes it in words.
pub fn trend(periods: &[[usize; 4]], alt: String) -> Chart {
    let (width, height) = TREND_SIZE;
    let mut pixels = vec![255u8; (width * height * 4) as usize];
    let (left, right, top, bottom) = (16u32, 16u32, 12u32, 20u32);
    let plot_height = height - top - bottom;
    let tallest = periods.iter().map(|p| p.iter().sum::<usize>()).max().unwrap_or(0).max(1);
    let slots = u32::try_from(periods.len().max(1)).unwrap_or(1);
    let slot = (width - left - right) / slots;
    let bar = (slot * 3 / 5).max(2);
    let mut paint = |x0: u32, y0: u32, x1: u32, y1: u32, rgb: [u8; 3]| {
        for y in y0.min(height)..y1.min(height) {
            for x in x0.min(width)..x1.min(width) {
                let at = ((y * width + x) * 4) as usize;
                pixels[at..at + 4].copy_from_slice(&[rgb[0], rgb[1], rgb[2], 255]);
            }
        }
    };
    // Light grid lines at quarters, then the baseline.
    for quarter in 1..=4 {
        let y = top + plot_height - plot_height * quarter / 4;
        paint(left, y, width - right, y + 1, [0xe6, 0xe8, 0xeb]);
    }
    for (n, counts) in periods.iter().enumerate() {
        let x = left + slot * u32::try_from(n).unwrap_or(0) + (slot - bar) / 2;
        let mut y = top + plot_height;
        for (level, count) in Severity::ALL.iter().zip(counts) {
            let h = u32::try_from(count * plot_height as usize / tallest).unwrap_or(plot_height);
            paint(x, y.saturating_sub(h), x + bar, y, color(*level));
            y = y.saturating_sub(h);
        }
    }
    paint(left, top + plot_height, width - right, top + plot_height + 2, [0x55, 0x5f, 0x6b]);
    Chart { alt, png: base64::engine::general_purpose::STANDARD.encode(encode(width, height, &pixels)) }
}

/// Encodes RGBA pixels as a PNG.
pub fn encode(width: u32, height: u32, pixels: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, width, height);
    encoder.set_color(png::ColorType::Rgba);
    encoder.set_depth(png::BitDepth::Eight);
    // Writing to memory cannot fail for pixels of the declared size; a short buffer yields an
    // empty image rather than a panic.
    let written = encoder.write_header().and_then(|mut w| {
        w.write_image_data(pixels)?;
        w.finish()
    });
    if written.is_err() {
        return Vec::new();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_trend_is_a_png_whose_bars_grow_with_their_counts() {
        let chart = trend(&[[1, 2, 3, 4], [0, 0, 0, 0], [10, 10, 10, 10]], "three periods".into());
        let bytes = chart.bytes();
        assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
        let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
        let mut reader = decoder.read_info().unwrap();
        let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut pixels).unwrap();
        assert_eq!((info.width, info.height), TREND_SIZE);
        let column = |x: u32| -> usize {
            (0..info.height)
                .filter(|y| {
                    let at = ((y * info.width + x) * 4) as usize;
                    pixels[at..at + 3] == color(Severity::Critical)
                })
                .count()
        };
        let slot = (info.width - 32) / 3;
        let middle = |n: u32| 16 + slot * n + slot / 2;
        assert!(column(middle(0)) > 0, "the first bar has critical findings");
        assert_eq!(column(middle(1)), 0, "an empty period has no bar");
        assert!(column(middle(2)) > column(middle(0)) * 5, "ten times the findings, a taller bar");
        assert!(chart.data_url().starts_with("data:image/png;base64,iVBOR"));
    }
}
