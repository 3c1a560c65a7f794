//! Uploaded photos of the directory: checked, decoded with limits, and re-encoded as JPEG.
//!
//! An upload is never stored as sent. Its format is read from its first bytes (never from a
//! file name or a client's Content-Type), only JPEG, PNG and WebP are accepted, and decoding
//! runs under limits so that a small file claiming a huge picture (a decompression bomb) is
//! refused before any large allocation. The picture is then turned upright (EXIF orientation),
//! flattened on white, scaled down and written again as two JPEGs, a full-size one and a
//! thumbnail. Writing it again drops every piece of metadata the upload carried (EXIF with GPS
//! coordinates, XMP, comments, color profiles).

use std::io::Cursor;

use image::codecs::jpeg::JpegEncoder;
use image::imageops::FilterType;
use image::metadata::Orientation;
use image::{DynamicImage, ImageDecoder, ImageError, ImageFormat, ImageReader, Limits, Rgb, RgbImage};

/// The largest upload accepted, in bytes (5 MiB). Larger ones are refused before decoding.
pub const MAX_UPLOAD_BYTES: usize = 5 * 1024 * 1024;

/// The largest width or height, in pixels, that an upload may declare.
pub const MAX_DIMENSION: u32 = 10_000;

/// The most pixels an upload may declare (40 megapixels: well above any phone camera).
pub const MAX_PIXELS: u64 = 40_000_000;

/// The most memory, in bytes, the decoder may allocate for one upload.
pub const MAX_DECODE_BYTES: u64 = 256 * 1024 * 1024;

/// The box the full-size picture is fitted into, in pixels.
pub const FULL_MAX_SIDE: u32 = 1600;

/// The box the thumbnail is fitted into, in pixels.
pub const THUMBNAIL_MAX_SIDE: u32 = 480;

/// The JPEG quality of both outputs (0–100).
pub const JPEG_QUALITY: u8 = 82;

/// The content type of every output.
const JPEG_CONTENT_TYPE: &str = "image/jpeg";

/// A stored photo as a viewer may get it.
#[derive(Clone, Debug)]
pub struct StoredPhoto {
    /// Its media type.
    pub content_type: String,
    /// Its bytes.
    pub bytes: Vec<u8>,
    /// Everyone may see it (a published listing's, a product on sale's): shared caches may keep
    /// it. Otherwise only its owners and moderators see it, and nothing keeps a copy.
    pub public: bool,
}

/// An uploaded photo, re-encoded twice.
#[derive(Debug)]
pub struct ProcessedPhoto {
    /// The picture fitted into 1600 × 1600 pixels (never enlarged).
    pub full: Encoded,
    /// The picture fitted into 480 × 480 pixels (never enlarged).
    pub thumbnail: Encoded,
}

/// One encoded picture, ready to be stored and served.
pub struct Encoded {
    /// The encoded file.
    pub bytes: Vec<u8>,
    /// Its content type (always `image/jpeg`).
    pub content_type: &'static str,
    /// Its width in pixels.
    pub width: u32,
    /// Its height in pixels.
    pub height: u32,
}

impl std::fmt::Debug for Encoded {
    /// Shows the size of the bytes rather than the bytes themselves.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Encoded")
            .field("bytes", &format_args!("[{} bytes]", self.bytes.len()))
            .field("content_type", &self.content_type)
            .field("width", &self.width)
            .field("height", &self.height)
            .finish()
    }
}

/// Why an upload was refused.
#[derive(Debug, PartialEq, Eq)]
pub enum PhotoError {
    /// Larger than [`MAX_UPLOAD_BYTES`].
    TooLarge,
    /// Not a JPEG, PNG or WebP file.
    UnsupportedFormat,
    /// A JPEG, PNG or WebP file that cannot be decoded (truncated, corrupt).
    Unreadable,
    /// A picture whose declared size is beyond the decoding limits.
    TooManyPixels,
}

impl PhotoError {
    /// The i18n key of the message shown to the person who uploaded the file.
    pub fn message_key(&self) -> &'static str {
        match self {
            PhotoError::TooLarge => "directory.photo.too_large",
            PhotoError::UnsupportedFormat => "directory.photo.unsupported",
            PhotoError::Unreadable => "directory.photo.unreadable",
            PhotoError::TooManyPixels => "directory.photo.too_many_pixels",
        }
    }
}

impl std::fmt::Display for PhotoError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            PhotoError::TooLarge => "the photo is larger than 5 MB",
            PhotoError::UnsupportedFormat => "the photo is not a JPEG, PNG or WebP file",
            PhotoError::Unreadable => "the photo cannot be read",
            PhotoError::TooManyPixels => "the photo has too many pixels",
        })
    }
}

impl std::error::Error for PhotoError {}

/// Checks an upload, decodes it and re-encodes it as a full-size JPEG and a thumbnail.
///
/// CPU-heavy (tens to hundreds of milliseconds for a phone photo): call it from
/// `tokio::task::spawn_blocking` in a request handler.
pub fn process_photo(upload: &[u8]) -> Result<ProcessedPhoto, PhotoError> {
    if upload.len() > MAX_UPLOAD_BYTES {
        return Err(PhotoError::TooLarge);
    }
    let format = sniff_format(upload).ok_or(PhotoError::UnsupportedFormat)?;
    if format == ImageFormat::Jpeg && !jpeg_is_complete(upload) {
        return Err(PhotoError::Unreadable);
    }
    let picture = decode(upload, format)?;
    let full = fit_within(&picture, FULL_MAX_SIDE);
    let thumbnail = fit_within(&full, THUMBNAIL_MAX_SIDE);
    Ok(ProcessedPhoto { full: encode_jpeg(&full)?, thumbnail: encode_jpeg(&thumbnail)? })
}

/// The format of an upload, from its magic numbers; `None` for anything but JPEG, PNG and WebP.
fn sniff_format(bytes: &[u8]) -> Option<ImageFormat> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(ImageFormat::Jpeg)
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(ImageFormat::Png)
    } else if bytes.len() >= 12 && bytes.starts_with(b"RIFF") && &bytes[8..12] == b"WEBP" {
        Some(ImageFormat::WebP)
    } else {
        None
    }
}

/// Whether a JPEG has its end-of-image marker after its first scan.
///
/// The JPEG decoder is lenient and fills a truncated picture with grey: an upload cut short
/// (a dropped connection, a partial copy) would be accepted half grey. Walks the segments up to
/// the first start-of-scan, then looks for the end-of-image marker (inside the compressed data a
/// 0xFF byte is always followed by 0x00 or a restart marker, so 0xFF 0xD9 is the real end). The
/// thumbnail often embedded in the EXIF segment has its own end marker, which this skips over.
/// Data appended after the end (as some phones do) is allowed.
fn jpeg_is_complete(bytes: &[u8]) -> bool {
    let mut at = 2; // after the start-of-image marker
    loop {
        // Markers may be preceded by any number of 0xFF fill bytes.
        while bytes.get(at) == Some(&0xFF) && bytes.get(at + 1) == Some(&0xFF) {
            at += 1;
        }
        let (Some(&0xFF), Some(&marker)) = (bytes.get(at), bytes.get(at + 1)) else {
            return false;
        };
        at += 2;
        match marker {
            0xDA => break,                  // start of scan: compressed data follows
            0x01 | 0xD0..=0xD7 => continue, // markers without a length
            0xD8 | 0xD9 => return false,    // a second start, or an end before any scan
            _ => {
                let (Some(&high), Some(&low)) = (bytes.get(at), bytes.get(at + 1)) else {
                    return false;
                };
                at += usize::from(u16::from_be_bytes([high, low]));
            }
        }
    }
    bytes.get(at..).is_some_and(|rest| rest.windows(2).any(|pair| pair == [0xFF, 0xD9]))
}

/// The decoding limits: dimensions and memory.
fn limits() -> Limits {
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_DIMENSION);
    limits.max_image_height = Some(MAX_DIMENSION);
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    limits
}

/// A decoding error as a [`PhotoError`]: limits exceeded, or anything else.
fn decoding_error(error: ImageError) -> PhotoError {
    match error {
        ImageError::Limits(_) => PhotoError::TooManyPixels,
        _ => PhotoError::Unreadable,
    }
}

/// Decodes an upload of a known format under the limits, turned upright.
fn decode(bytes: &[u8], format: ImageFormat) -> Result<DynamicImage, PhotoError> {
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    reader.limits(limits());
    // The headers are read here: the declared dimensions are checked before any pixel is.
    let mut decoder = reader.into_decoder().map_err(decoding_error)?;
    let (width, height) = decoder.dimensions();
    if width == 0 || height == 0 {
        return Err(PhotoError::Unreadable);
    }
    if width > MAX_DIMENSION
        || height > MAX_DIMENSION
        || u64::from(width) * u64::from(height) > MAX_PIXELS
        || decoder.total_bytes() > MAX_DECODE_BYTES
    {
        return Err(PhotoError::TooManyPixels);
    }
    // A broken EXIF block is no reason to refuse a photo: it is then shown as stored.
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let mut picture = DynamicImage::from_decoder(decoder).map_err(decoding_error)?;
    picture.apply_orientation(orientation);
    Ok(picture)
}

/// The picture scaled down to fit a `side` × `side` box, keeping its ratio; never enlarged.
fn fit_within(picture: &DynamicImage, side: u32) -> DynamicImage {
    let (width, height) = (picture.width(), picture.height());
    if width <= side && height <= side {
        return picture.clone();
    }
    let (new_width, new_height) = if width >= height {
        (side, scaled(height, side, width))
    } else {
        (scaled(width, side, height), side)
    };
    picture.resize_exact(new_width, new_height, FilterType::CatmullRom)
}

/// `value × numerator / denominator`, rounded, at least 1.
fn scaled(value: u32, numerator: u32, denominator: u32) -> u32 {
    let exact =
        (u64::from(value) * u64::from(numerator) + u64::from(denominator) / 2) / u64::from(denominator);
    u32::try_from(exact).unwrap_or(numerator).max(1)
}

/// The picture as 8-bit RGB, any transparency flattened on white.
fn flatten_on_white(picture: &DynamicImage) -> RgbImage {
    if !picture.color().has_alpha() {
        return picture.to_rgb8();
    }
    let rgba = picture.to_rgba8();
    RgbImage::from_fn(rgba.width(), rgba.height(), |x, y| {
        let [r, g, b, a] = rgba.get_pixel(x, y).0;
        let over_white = |channel: u8| {
            let (channel, alpha) = (u16::from(channel), u16::from(a));
            // channel × alpha + 255 × (255 − alpha), divided by 255 with rounding: at most 255.
            let blended = (channel * alpha + 255 * (255 - alpha) + 127) / 255;
            u8::try_from(blended).unwrap_or(u8::MAX)
        };
        Rgb([over_white(r), over_white(g), over_white(b)])
    })
}

/// The picture as a JPEG without any metadata.
fn encode_jpeg(picture: &DynamicImage) -> Result<Encoded, PhotoError> {
    let rgb = flatten_on_white(picture);
    let mut bytes = Vec::new();
    JpegEncoder::new_with_quality(&mut bytes, JPEG_QUALITY)
        .encode_image(&rgb)
        .map_err(|_| PhotoError::Unreadable)?;
    Ok(Encoded { bytes, content_type: JPEG_CONTENT_TYPE, width: rgb.width(), height: rgb.height() })
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::codecs::png::PngEncoder;
    use image::codecs::webp::WebPEncoder;
    use image::{ExtendedColorType, ImageEncoder, Rgba, RgbaImage};

    /// A colorful RGB picture of the given size.
    fn gradient(width: u32, height: u32) -> RgbImage {
        RgbImage::from_fn(width, height, |x, y| {
            Rgb([(x * 255 / width.max(1)) as u8, (y * 255 / height.max(1)) as u8, 128])
        })
    }

    fn jpeg_of(picture: &RgbImage) -> Vec<u8> {
        let mut bytes = Vec::new();
        JpegEncoder::new_with_quality(&mut bytes, 90).encode_image(picture).unwrap();
        bytes
    }

    fn png_of_rgba(picture: &RgbaImage) -> Vec<u8> {
        let mut bytes = Vec::new();
        PngEncoder::new(&mut bytes)
            .write_image(picture.as_raw(), picture.width(), picture.height(), ExtendedColorType::Rgba8)
            .unwrap();
        bytes
    }

    fn png_of_rgb(picture: &RgbImage) -> Vec<u8> {
        let mut bytes = Vec::new();
        PngEncoder::new(&mut bytes)
            .write_image(picture.as_raw(), picture.width(), picture.height(), ExtendedColorType::Rgb8)
            .unwrap();
        bytes
    }

    fn decoded(encoded: &Encoded) -> DynamicImage {
        image::load_from_memory_with_format(&encoded.bytes, ImageFormat::Jpeg).unwrap()
    }

    fn contains(haystack: &[u8], needle: &[u8]) -> bool {
        haystack.windows(needle.len()).any(|window| window == needle)
    }

    /// An EXIF APP1 segment (big-endian TIFF) with an orientation tag and a GPS IFD pointer.
    fn exif_segment(orientation: u16) -> Vec<u8> {
        let mut tiff = Vec::new();
        tiff.extend_from_slice(b"MM\x00\x2a\x00\x00\x00\x08"); // header, IFD0 at offset 8
        tiff.extend_from_slice(&2u16.to_be_bytes()); // two entries
        tiff.extend_from_slice(&[0x01, 0x12, 0x00, 0x03, 0, 0, 0, 1]); // Orientation, SHORT, 1
        tiff.extend_from_slice(&orientation.to_be_bytes());
        tiff.extend_from_slice(&[0, 0]);
        tiff.extend_from_slice(&[0x88, 0x25, 0x00, 0x04, 0, 0, 0, 1, 0, 0, 0, 38]); // GPS IFD at 38
        tiff.extend_from_slice(&[0, 0, 0, 0]); // no next IFD
        tiff.extend_from_slice(&1u16.to_be_bytes()); // GPS IFD: one entry
        tiff.extend_from_slice(&[0x00, 0x01, 0x00, 0x02, 0, 0, 0, 2, b'N', 0, 0, 0]); // GPSLatitudeRef "N"
        tiff.extend_from_slice(&[0, 0, 0, 0]);
        let mut segment = vec![0xFF, 0xE1];
        let length = u16::try_from(2 + 6 + tiff.len()).unwrap();
        segment.extend_from_slice(&length.to_be_bytes());
        segment.extend_from_slice(b"Exif\0\0");
        segment.extend_from_slice(&tiff);
        segment
    }

    /// A JPEG with an EXIF segment spliced in right after its SOI marker.
    fn jpeg_with_exif(picture: &RgbImage, orientation: u16) -> Vec<u8> {
        let plain = jpeg_of(picture);
        let mut bytes = plain[..2].to_vec();
        bytes.extend_from_slice(&exif_segment(orientation));
        bytes.extend_from_slice(&plain[2..]);
        bytes
    }

    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for &byte in bytes {
            crc ^= u32::from(byte);
            for _ in 0..8 {
                crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
            }
        }
        !crc
    }

    /// A PNG whose IHDR chunk (with a correct CRC) declares the given size over a 1×1 image.
    fn png_claiming(width: u32, height: u32) -> Vec<u8> {
        let mut bytes = png_of_rgb(&gradient(1, 1));
        // Signature (8), IHDR length (4), "IHDR" (4), then width and height.
        assert_eq!(&bytes[12..16], b"IHDR");
        bytes[16..20].copy_from_slice(&width.to_be_bytes());
        bytes[20..24].copy_from_slice(&height.to_be_bytes());
        let crc = crc32(&bytes[12..29]);
        bytes[29..33].copy_from_slice(&crc.to_be_bytes());
        bytes
    }

    #[test]
    fn a_png_with_alpha_is_flattened_on_white() {
        let picture =
            RgbaImage::from_fn(
                40,
                30,
                |x, _| {
                    if x < 20 { Rgba([0, 0, 0, 0]) } else { Rgba([200, 0, 0, 255]) }
                },
            );
        let photo = process_photo(&png_of_rgba(&picture)).unwrap();
        assert_eq!((photo.full.width, photo.full.height), (40, 30));
        assert_eq!(photo.full.content_type, "image/jpeg");
        let full = decoded(&photo.full).to_rgb8();
        let transparent = full.get_pixel(5, 15).0;
        assert!(transparent.iter().all(|&c| c > 245), "transparent part became {transparent:?}");
        let opaque = full.get_pixel(35, 15).0;
        assert!(opaque[0] > 170 && opaque[1] < 40 && opaque[2] < 40, "opaque part became {opaque:?}");
    }

    #[test]
    fn a_big_image_is_scaled_down_keeping_its_ratio() {
        let photo = process_photo(&jpeg_of(&gradient(3200, 2000))).unwrap();
        assert_eq!((photo.full.width, photo.full.height), (1600, 1000));
        assert_eq!((photo.thumbnail.width, photo.thumbnail.height), (480, 300));
        assert_eq!(decoded(&photo.full).width(), 1600);
        assert_eq!(decoded(&photo.thumbnail).height(), 300);
    }

    #[test]
    fn a_portrait_image_is_fitted_by_its_height() {
        let photo = process_photo(&png_of_rgb(&gradient(900, 1800))).unwrap();
        assert_eq!((photo.full.width, photo.full.height), (800, 1600));
        assert_eq!((photo.thumbnail.width, photo.thumbnail.height), (240, 480));
    }

    #[test]
    fn a_tiny_image_is_not_enlarged() {
        let photo = process_photo(&png_of_rgb(&gradient(64, 48))).unwrap();
        assert_eq!((photo.full.width, photo.full.height), (64, 48));
        assert_eq!((photo.thumbnail.width, photo.thumbnail.height), (64, 48));
        assert_eq!(decoded(&photo.thumbnail).width(), 64);
    }

    #[test]
    fn a_webp_upload_is_accepted_and_turned_into_jpeg() {
        let picture = RgbaImage::from_fn(50, 20, |x, y| Rgba([x as u8 * 5, y as u8 * 10, 90, 255]));
        let mut bytes = Vec::new();
        WebPEncoder::new_lossless(&mut bytes)
            .encode(picture.as_raw(), 50, 20, ExtendedColorType::Rgba8)
            .unwrap();
        let photo = process_photo(&bytes).unwrap();
        assert_eq!((photo.full.width, photo.full.height), (50, 20));
        assert!(photo.full.bytes.starts_with(&[0xFF, 0xD8, 0xFF]));
    }

    #[test]
    fn exif_metadata_is_stripped_from_the_output() {
        let upload = jpeg_with_exif(&gradient(60, 40), 1);
        assert!(contains(&upload, b"Exif\0\0"));
        assert!(image::load_from_memory(&upload).is_ok(), "the spliced test JPEG must be valid");
        let photo = process_photo(&upload).unwrap();
        assert!(!contains(&photo.full.bytes, b"Exif\0\0"));
        assert!(!contains(&photo.thumbnail.bytes, b"Exif\0\0"));
        assert!(!photo.full.bytes.windows(2).any(|marker| marker == [0xFF, 0xE1]), "no APP1 segment at all");
    }

    #[test]
    fn the_exif_orientation_is_applied_before_the_metadata_is_dropped() {
        // Orientation 6: the camera was held upright, the stored picture must be turned 90° clockwise.
        let photo = process_photo(&jpeg_with_exif(&gradient(60, 40), 6)).unwrap();
        assert_eq!((photo.full.width, photo.full.height), (40, 60));
        assert!(!contains(&photo.full.bytes, b"Exif\0\0"));
    }

    #[test]
    fn a_text_file_is_refused_as_unsupported() {
        let error = process_photo(b"Bonjour, ceci n'est pas une photo.\n").unwrap_err();
        assert_eq!(error, PhotoError::UnsupportedFormat);
        assert_eq!(error.message_key(), "directory.photo.unsupported");
    }

    #[test]
    fn an_empty_upload_is_refused_as_unsupported() {
        assert_eq!(process_photo(b"").unwrap_err(), PhotoError::UnsupportedFormat);
    }

    #[test]
    fn a_gif_is_refused_as_unsupported() {
        // A complete 1×1 GIF89a.
        let gif = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00\
,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;";
        assert_eq!(process_photo(gif).unwrap_err(), PhotoError::UnsupportedFormat);
    }

    #[test]
    fn a_truncated_jpeg_is_unreadable() {
        let whole = jpeg_of(&gradient(300, 200));
        let error = process_photo(&whole[..whole.len() / 2]).unwrap_err();
        assert_eq!(error, PhotoError::Unreadable);
        assert_eq!(error.message_key(), "directory.photo.unreadable");
    }

    #[test]
    fn a_jpeg_with_data_after_its_end_is_accepted() {
        let mut upload = jpeg_with_exif(&gradient(30, 20), 1);
        upload.extend_from_slice(b"trailing bytes some phones append");
        assert!(process_photo(&upload).is_ok());
    }

    #[test]
    fn a_truncated_png_is_unreadable() {
        let whole = png_of_rgb(&gradient(300, 200));
        assert_eq!(process_photo(&whole[..whole.len() / 2]).unwrap_err(), PhotoError::Unreadable);
    }

    #[test]
    fn a_truncated_webp_is_unreadable() {
        let picture = gradient(300, 200);
        let mut whole = Vec::new();
        WebPEncoder::new_lossless(&mut whole)
            .encode(picture.as_raw(), 300, 200, ExtendedColorType::Rgb8)
            .unwrap();
        assert_eq!(process_photo(&whole[..whole.len() / 2]).unwrap_err(), PhotoError::Unreadable);
    }

    #[test]
    fn a_jpeg_cut_inside_its_headers_is_unreadable() {
        let whole = jpeg_of(&gradient(300, 200));
        assert_eq!(process_photo(&whole[..40]).unwrap_err(), PhotoError::Unreadable);
    }

    #[test]
    fn an_upload_over_five_megabytes_is_refused_before_decoding() {
        let mut upload = vec![0u8; MAX_UPLOAD_BYTES + 1];
        upload[..3].copy_from_slice(&[0xFF, 0xD8, 0xFF]);
        let error = process_photo(&upload).unwrap_err();
        assert_eq!(error, PhotoError::TooLarge);
        assert_eq!(error.message_key(), "directory.photo.too_large");
    }

    #[test]
    fn a_png_claiming_a_hundred_thousand_pixels_square_is_refused() {
        let error = process_photo(&png_claiming(100_000, 100_000)).unwrap_err();
        assert_eq!(error, PhotoError::TooManyPixels);
        assert_eq!(error.message_key(), "directory.photo.too_many_pixels");
    }

    #[test]
    fn a_png_within_each_side_limit_but_with_too_many_pixels_is_refused() {
        assert_eq!(process_photo(&png_claiming(9_000, 9_000)).unwrap_err(), PhotoError::TooManyPixels);
    }

    #[test]
    fn the_crafted_png_header_is_otherwise_valid() {
        // The same crafting with the real size decodes: the refusals above come from the limits.
        assert!(process_photo(&png_claiming(1, 1)).is_ok());
    }

    #[test]
    fn a_jpeg_claiming_twenty_thousand_pixels_square_is_refused() {
        let mut upload = jpeg_of(&gradient(8, 8));
        let sof = upload.windows(2).position(|pair| pair == [0xFF, 0xC0]).unwrap();
        // Marker (2), length (2), precision (1), then height and width.
        upload[sof + 5..sof + 7].copy_from_slice(&20_000u16.to_be_bytes());
        upload[sof + 7..sof + 9].copy_from_slice(&20_000u16.to_be_bytes());
        assert_eq!(process_photo(&upload).unwrap_err(), PhotoError::TooManyPixels);
    }

    #[test]
    fn a_truncated_jpeg_is_unreadable_even_when_its_exif_thumbnail_is_complete() {
        // An EXIF segment carrying a (fake) embedded thumbnail, end-of-image marker included.
        let mut payload = b"Exif\0\0MM\x00\x2a\x00\x00\x00\x08\x00\x00".to_vec();
        payload.extend_from_slice(&[0xFF, 0xD8, 0xFF, 0xD9]);
        let mut segment = vec![0xFF, 0xE1];
        segment.extend_from_slice(&u16::try_from(payload.len() + 2).unwrap().to_be_bytes());
        segment.extend_from_slice(&payload);
        let whole = jpeg_of(&gradient(300, 200));
        let mut upload = whole[..2].to_vec();
        upload.extend_from_slice(&segment);
        upload.extend_from_slice(&whole[2..]);
        assert!(process_photo(&upload).is_ok(), "the complete file is accepted");
        upload.truncate(upload.len() / 2);
        assert_eq!(process_photo(&upload).unwrap_err(), PhotoError::Unreadable);
    }

    #[test]
    fn every_error_has_its_own_message_key() {
        let keys = [
            PhotoError::TooLarge.message_key(),
            PhotoError::UnsupportedFormat.message_key(),
            PhotoError::Unreadable.message_key(),
            PhotoError::TooManyPixels.message_key(),
        ];
        assert_eq!(
            keys,
            [
                "directory.photo.too_large",
                "directory.photo.unsupported",
                "directory.photo.unreadable",
                "directory.photo.too_many_pixels"
            ]
        );
    }
}
