//! Conversions between `prescreen_core`'s types and the Rust types a bindings
//! generator makes from `wit/filter.wit`.
//!
//! The guest (wit-bindgen) and the host (wasmtime's `bindgen!`) generate different
//! types of the same shape. [`conversions!`] is expanded in each, next to its
//! generated `types` module, and writes `From` impls both ways, so the mapping
//! between the contract and the core is written once. Everything moves; nothing is
//! cloned.

/// Writes `From` impls between `prescreen_core` (path `$core`) and the generated WIT
/// types module (path `$wit`), both ways.
#[macro_export]
macro_rules! conversions {
    ($core:path, $wit:path) => {
        #[allow(unused_imports)]
        mod __prescreen_conversions {
            use $core as core;
            use $wit as wit;

            $crate::__enum_map!(core::Action <=> wit::Action { Pass, Review, Block });
            $crate::__enum_map!(core::MaterialKind <=> wit::MaterialKind { Text, Image, Video });
            $crate::__enum_map!(core::MatchMode <=> wit::MatchMode { Word, Prefix, Substring, Rule, Stem });
            $crate::__enum_map!(core::Transform <=> wit::Transform {
                None, Rotate90, Rotate180, Rotate270, FlipHorizontal, FlipVertical, Transpose, Transverse
            });
            $crate::__enum_map!(core::Evasion <=> wit::Evasion {
                Homoglyph, Leet, Separator, Repeat, Invisible, MixedScript, Diacritic, Compatibility,
                Shape, Spacing, Transliteration
            });

            fn list<A, B: From<A>>(v: Vec<A>) -> Vec<B> {
                v.into_iter().map(B::from).collect()
            }

            impl From<core::Pdq> for wit::Pdq {
                fn from(p: core::Pdq) -> Self {
                    let [a, b, c, d] = p.hash;
                    wit::Pdq { hash: (a, b, c, d), quality: p.quality }
                }
            }
            impl From<wit::Pdq> for core::Pdq {
                fn from(p: wit::Pdq) -> Self {
                    let (a, b, c, d) = p.hash;
                    core::Pdq { hash: [a, b, c, d], quality: p.quality }
                }
            }

            impl From<core::Upload> for wit::Upload {
                fn from(u: core::Upload) -> Self {
                    wit::Upload {
                        id: u.id,
                        market: u.market,
                        language: u.language,
                        fields: u.fields.into_iter().map(|f| wit::TextField { name: f.name, text: f.text }).collect(),
                        images: u.images.into_iter().map(|i| wit::Image {
                            name: i.name,
                            data: match i.data {
                                core::ImageData::Encoded(b) => wit::ImageData::Encoded(b),
                                core::ImageData::Hashed(p) => wit::ImageData::Hashed(p.into()),
                                core::ImageData::Pixels(p) => wit::ImageData::Pixels(wit::RgbImage {
                                    width: p.width, height: p.height, rgb: p.rgb,
                                }),
                            },
                        }).collect(),
                        videos: u.videos.into_iter().map(|v| wit::Video {
                            name: v.name,
                            frames: v.frames.into_iter().map(|f| wit::VideoFrame {
                                index: f.index, timestamp: f.timestamp, hash: f.hash.into(),
                            }).collect(),
                        }).collect(),
                    }
                }
            }
            impl From<wit::Upload> for core::Upload {
                fn from(u: wit::Upload) -> Self {
                    core::Upload {
                        id: u.id,
                        market: u.market,
                        language: u.language,
                        fields: u.fields.into_iter().map(|f| core::TextField { name: f.name, text: f.text }).collect(),
                        images: u.images.into_iter().map(|i| core::Image {
                            name: i.name,
                            data: match i.data {
                                wit::ImageData::Encoded(b) => core::ImageData::Encoded(b),
                                wit::ImageData::Hashed(p) => core::ImageData::Hashed(p.into()),
                                wit::ImageData::Pixels(p) => core::ImageData::Pixels(core::RgbImage {
                                    width: p.width, height: p.height, rgb: p.rgb,
                                }),
                            },
                        }).collect(),
                        videos: u.videos.into_iter().map(|v| core::Video {
                            name: v.name,
                            frames: v.frames.into_iter().map(|f| core::VideoFrame {
                                index: f.index, timestamp: f.timestamp, hash: f.hash.into(),
                            }).collect(),
                        }).collect(),
                    }
                }
            }

            impl From<core::Evidence> for wit::Evidence {
                fn from(e: core::Evidence) -> Self {
                    match e {
                        core::Evidence::Text(t) => wit::Evidence::Text(wit::TextEvidence {
                            field: t.field,
                            span: wit::Span { start: t.start, end: t.end },
                            matched: t.matched,
                            evasions: list(t.evasions),
                        }),
                        core::Evidence::Image(i) => wit::Evidence::Image(wit::ImageEvidence {
                            image: i.image, distance: i.distance, quality: i.quality, transform: i.transform.into(),
                        }),
                        core::Evidence::Video(v) => wit::Evidence::Video(wit::VideoEvidence {
                            video: v.video,
                            material_match: v.material_match,
                            upload_match: v.upload_match,
                            distance: v.distance,
                            matched_frames: v.matched_frames,
                            ranges: v.ranges.into_iter().map(|r| wit::TimeRange { start: r.start, end: r.end }).collect(),
                        }),
                    }
                }
            }
            impl From<wit::Evidence> for core::Evidence {
                fn from(e: wit::Evidence) -> Self {
                    match e {
                        wit::Evidence::Text(t) => core::Evidence::Text(core::TextEvidence {
                            field: t.field,
                            start: t.span.start,
                            end: t.span.end,
                            matched: t.matched,
                            evasions: list(t.evasions),
                        }),
                        wit::Evidence::Image(i) => core::Evidence::Image(core::ImageEvidence {
                            image: i.image, distance: i.distance, quality: i.quality, transform: i.transform.into(),
                        }),
                        wit::Evidence::Video(v) => core::Evidence::Video(core::VideoEvidence {
                            video: v.video,
                            material_match: v.material_match,
                            upload_match: v.upload_match,
                            distance: v.distance,
                            matched_frames: v.matched_frames,
                            ranges: v.ranges.into_iter().map(|r| core::TimeRange { start: r.start, end: r.end }).collect(),
                        }),
                    }
                }
            }

            impl From<core::Hit> for wit::Hit {
                fn from(h: core::Hit) -> Self {
                    wit::Hit {
                        material_id: h.material_id,
                        revision: h.revision,
                        category: h.category,
                        action: h.action.into(),
                        detection_only: h.detection_only,
                        evidence: h.evidence.into(),
                    }
                }
            }
            impl From<wit::Hit> for core::Hit {
                fn from(h: wit::Hit) -> Self {
                    core::Hit {
                        material_id: h.material_id,
                        revision: h.revision,
                        category: h.category,
                        action: h.action.into(),
                        detection_only: h.detection_only,
                        evidence: h.evidence.into(),
                    }
                }
            }

            impl From<core::Verdict> for wit::Verdict {
                fn from(v: core::Verdict) -> Self {
                    wit::Verdict {
                        upload_id: v.upload_id,
                        action: v.action.into(),
                        hits: list(v.hits),
                        truncated: v.truncated,
                        notes: v.notes,
                    }
                }
            }
            impl From<wit::Verdict> for core::Verdict {
                fn from(v: wit::Verdict) -> Self {
                    core::Verdict {
                        upload_id: v.upload_id,
                        action: v.action.into(),
                        hits: list(v.hits),
                        truncated: v.truncated,
                        notes: v.notes,
                    }
                }
            }

            impl From<core::ScreenError> for wit::ScreenError {
                fn from(e: core::ScreenError) -> Self {
                    match e {
                        core::ScreenError::TooLarge { limit, max, actual } => {
                            wit::ScreenError::TooLarge(wit::LimitExceeded { limit, max, actual })
                        }
                        core::ScreenError::InvalidInput { message } => wit::ScreenError::InvalidInput(message),
                        core::ScreenError::Unsupported { message } => wit::ScreenError::Unsupported(message),
                        core::ScreenError::NotLoaded => wit::ScreenError::NotLoaded,
                    }
                }
            }
            impl From<wit::ScreenError> for core::ScreenError {
                fn from(e: wit::ScreenError) -> Self {
                    match e {
                        wit::ScreenError::TooLarge(l) => {
                            core::ScreenError::TooLarge { limit: l.limit, max: l.max, actual: l.actual }
                        }
                        wit::ScreenError::InvalidInput(message) => core::ScreenError::InvalidInput { message },
                        wit::ScreenError::Unsupported(message) => core::ScreenError::Unsupported { message },
                        wit::ScreenError::NotLoaded => core::ScreenError::NotLoaded,
                    }
                }
            }

            impl From<core::MaterialInfo> for wit::MaterialInfo {
                fn from(m: core::MaterialInfo) -> Self {
                    wit::MaterialInfo {
                        id: m.id,
                        revision: m.revision,
                        kind: m.kind.into(),
                        category: m.category,
                        action: m.action.into(),
                        mode: m.mode.map(Into::into),
                        markets: m.markets,
                        detection_only: m.detection_only,
                    }
                }
            }
            impl From<wit::MaterialInfo> for core::MaterialInfo {
                fn from(m: wit::MaterialInfo) -> Self {
                    core::MaterialInfo {
                        id: m.id,
                        revision: m.revision,
                        kind: m.kind.into(),
                        category: m.category,
                        action: m.action.into(),
                        mode: m.mode.map(Into::into),
                        markets: m.markets,
                        detection_only: m.detection_only,
                    }
                }
            }

            impl From<core::PackageInfo> for wit::PackageInfo {
                fn from(i: core::PackageInfo) -> Self {
                    let l = i.limits;
                    wit::PackageInfo {
                        name: i.name,
                        version: i.version,
                        description: i.description,
                        digest: i.digest,
                        format_version: i.format_version,
                        built_at: i.built_at,
                        markets: i.markets,
                        counts: wit::MaterialCounts {
                            text: i.text_materials,
                            image: i.image_materials,
                            video: i.video_materials,
                            disabled: i.disabled_materials,
                        },
                        limits: wit::Limits {
                            max_field_bytes: l.max_field_bytes,
                            max_text_bytes: l.max_text_bytes,
                            max_items: l.max_items,
                            max_image_bytes: l.max_image_bytes,
                            max_video_frames: l.max_video_frames,
                            max_hits: l.max_hits,
                        },
                    }
                }
            }
            impl From<wit::PackageInfo> for core::PackageInfo {
                fn from(i: wit::PackageInfo) -> Self {
                    let l = i.limits;
                    core::PackageInfo {
                        name: i.name,
                        version: i.version,
                        description: i.description,
                        digest: i.digest,
                        format_version: i.format_version,
                        built_at: i.built_at,
                        markets: i.markets,
                        text_materials: i.counts.text,
                        image_materials: i.counts.image,
                        video_materials: i.counts.video,
                        disabled_materials: i.counts.disabled,
                        limits: core::Limits {
                            max_field_bytes: l.max_field_bytes,
                            max_text_bytes: l.max_text_bytes,
                            max_items: l.max_items,
                            max_image_bytes: l.max_image_bytes,
                            max_video_frames: l.max_video_frames,
                            max_hits: l.max_hits,
                        },
                    }
                }
            }
        }
    };
}

/// `From` impls both ways between two fieldless enums with the same variants.
#[doc(hidden)]
#[macro_export]
macro_rules! __enum_map {
    ($c:ident :: $ct:ident <=> $w:ident :: $wt:ident { $($v:ident),* $(,)? }) => {
        impl From<$c::$ct> for $w::$wt {
            fn from(x: $c::$ct) -> Self { match x { $($c::$ct::$v => $w::$wt::$v,)* } }
        }
        impl From<$w::$wt> for $c::$ct {
            fn from(x: $w::$wt) -> Self { match x { $($w::$wt::$v => $c::$ct::$v,)* } }
        }
    };
}
