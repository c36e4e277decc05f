//! The Teams app icons, drawn by code: a shield with a check mark, as `color.png` (192×192,
//! white shield on the accent colour) and `outline.png` (32×32, white outline on transparent).

/// The accent colour of the app (also the manifest's `accentColor`).
pub(crate) const ACCENT: [u8; 3] = [0x1F, 0x4E, 0x79];

/// Samples per pixel side for anti-aliasing.
const SAMPLES: u32 = 4;

/// Whether a point (in icon units, 0..1 on both axes) is inside the shield.
fn in_shield(x: f32, y: f32, inset: f32) -> bool {
    let (top, bottom, half) = (0.14 + inset, 0.90 - inset * 1.6, 0.32 - inset);
    if y < top || y > bottom || half <= 0.0 {
        return false;
    }
    let v = (y - top) / (bottom - top);
    let width = if v < 0.45 {
        half
    } else {
        let t = (v - 0.45) / 0.55;
        half * (1.0 - t * t)
    };
    (x - 0.5).abs() <= width
}

/// Distance from a point to the check mark's two strokes.
fn check_distance(x: f32, y: f32) -> f32 {
    let points = [(0.36, 0.50), (0.46, 0.61), (0.65, 0.38)];
    points.windows(2).map(|w| segment_distance((x, y), w[0], w[1])).fold(f32::MAX, f32::min)
}

fn segment_distance(p: (f32, f32), a: (f32, f32), b: (f32, f32)) -> f32 {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let t = (((p.0 - a.0) * dx + (p.1 - a.1) * dy) / (dx * dx + dy * dy)).clamp(0.0, 1.0);
    let (cx, cy) = (a.0 + t * dx, a.1 + t * dy);
    ((p.0 - cx).powi(2) + (p.1 - cy).powi(2)).sqrt()
}

/// The share of a pixel's samples for which `inside` holds.
fn coverage(px: u32, py: u32, size: u32, inside: impl Fn(f32, f32) -> bool) -> f32 {
    let mut hits = 0;
    for sy in 0..SAMPLES {
        for sx in 0..SAMPLES {
            let x = (px as f32 + (sx as f32 + 0.5) / SAMPLES as f32) / size as f32;
            let y = (py as f32 + (sy as f32 + 0.5) / SAMPLES as f32) / size as f32;
            if inside(x, y) {
                hits += 1;
            }
        }
    }
    hits as f32 / (SAMPLES * SAMPLES) as f32
}

fn blend(under: [u8; 3], over: [u8; 3], amount: f32) -> [u8; 3] {
    let mix = |a: u8, b: u8| (f32::from(a) + (f32::from(b) - f32::from(a)) * amount).round() as u8;
    [mix(under[0], over[0]), mix(under[1], over[1]), mix(under[2], over[2])]
}

/// RGBA pixels of the full-colour icon.
pub(crate) fn color_pixels(size: u32) -> Vec<u8> {
    let mut pixels = Vec::with_capacity((size * size * 4) as usize);
    for py in 0..size {
        for px in 0..size {
            let shield = coverage(px, py, size, |x, y| in_shield(x, y, 0.0));
            let check = coverage(px, py, size, |x, y| check_distance(x, y) <= 0.045 && in_shield(x, y, 0.0));
            let rgb = blend(blend(ACCENT, [255, 255, 255], shield), ACCENT, check);
            pixels.extend_from_slice(&[rgb[0], rgb[1], rgb[2], 255]);
        }
    }
    pixels
}

/// RGBA pixels of the outline icon: white, with transparency.
pub(crate) fn outline_pixels(size: u32) -> Vec<u8> {
    let stroke = 2.2 / size as f32;
    let mut pixels = Vec::with_capacity((size * size * 4) as usize);
    for py in 0..size {
        for px in 0..size {
            let ring = coverage(px, py, size, |x, y| in_shield(x, y, 0.0) && !in_shield(x, y, stroke));
            let check = coverage(px, py, size, |x, y| check_distance(x, y) <= stroke * 0.6);
            let alpha = (ring.max(check) * 255.0).round() as u8;
            pixels.extend_from_slice(&[255, 255, 255, alpha]);
        }
    }
    pixels
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_outline_icon_is_white_on_transparent() {
        let pixels = outline_pixels(32);
        assert_eq!(pixels.len(), 32 * 32 * 4);
        assert!(pixels.chunks(4).all(|p| p[0] == 255 && p[1] == 255 && p[2] == 255));
        let opaque = pixels.chunks(4).filter(|p| p[3] > 128).count();
        let clear = pixels.chunks(4).filter(|p| p[3] == 0).count();
        assert!(opaque > 40, "the outline is drawn ({opaque} px)");
        assert!(clear > 32 * 32 / 2, "most of it is transparent ({clear} px)");
        assert_eq!(pixels[..4], [255, 255, 255, 0], "the corner is transparent");
    }

    #[test]
    fn the_color_icon_is_an_opaque_white_shield_on_the_accent() {
        let pixels = color_pixels(192);
        assert_eq!(pixels.len(), 192 * 192 * 4);
        assert!(pixels.chunks(4).all(|p| p[3] == 255));
        assert_eq!(pixels[..3], ACCENT, "the corner is the accent colour");
        let white = pixels.chunks(4).filter(|p| p[..3] == [255, 255, 255]).count();
        assert!(white > 192 * 192 / 6, "the shield is large ({white} px)");
        let at = |x: usize, y: usize| &pixels[(y * 192 + x) * 4..(y * 192 + x) * 4 + 3];
        assert_eq!(at(96, 50), [255, 255, 255], "the shield's upper middle is white");
    }
}
