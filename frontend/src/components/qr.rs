//! A QR code drawn as inline SVG, for what a person would otherwise copy by hand: an
//! enrolment link shown on the administrator's screen, the recovery sheet's words.

use leptos::prelude::*;
use qrcode::render::svg;
use qrcode::{EcLevel, QrCode};

/// The SVG of `text` as a QR code (medium error correction: survives a crease or a smudge
/// on paper), or nothing if it is too long for one.
pub fn qr_svg(text: &str) -> Option<String> {
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M).ok()?;
    Some(code.render::<svg::Color>().min_dimensions(200, 200).quiet_zone(true).build())
}

#[component]
pub fn Qr(#[prop(into)] text: Signal<String>, id: &'static str, #[prop(into)] label: Signal<String>) -> impl IntoView {
    view! {
        <div class="qr" id=id role="img" aria-label=label inner_html=move || qr_svg(&text.get()).unwrap_or_default()></div>
    }
}
