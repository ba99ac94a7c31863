//! `/available-location/{image}` and `/tag/{region}/{image}/{version}`:
//! where an image can run, and which versions it has. Read from the config.

use axum::response::Response;
use serde::Serialize;

use crate::errors::{json_response, ApiError};
use crate::request::{authorize, Req};
use crate::state::Shared;

fn image_not_found(image: &str) -> ApiError {
    ApiError::new(
        404,
        "IMAGE_NOT_FOUND",
        "Image not found or you are not authorized to use this image.",
        format!("no image {image:?}"),
    )
}

#[derive(Serialize)]
struct LocationEntry<'a> {
    id: &'a str,
    ips: &'a [String],
}

#[derive(Serialize)]
struct LocationsOk<'a> {
    locations: Vec<LocationEntry<'a>>,
}

/// `GET /available-location/{image}`: locations with free capacity.
pub(crate) fn available_locations(
    shared: &Shared,
    req: &Req<'_>,
    image: &str,
) -> Result<Response, ApiError> {
    authorize(shared, req, "regions:read")?;
    let cfg = &shared.config;
    if !cfg.images.iter().any(|i| i.name == image) {
        return Err(image_not_found(image));
    }
    let state = shared.lock();
    let locations = cfg
        .locations
        .iter()
        .enumerate()
        .filter(|(n, l)| state.running_per_location[*n] < l.capacity)
        .map(|(_, l)| LocationEntry {
            id: &l.id,
            ips: &l.ips,
        })
        .collect();
    Ok(json_response(200, &LocationsOk { locations }))
}

#[derive(Serialize)]
struct TagOk {
    exists: bool,
}

/// `GET /tag/{region}/{image}/{version}`.
pub(crate) fn tag_exists(
    shared: &Shared,
    req: &Req<'_>,
    region: &str,
    image: &str,
    version: &str,
) -> Result<Response, ApiError> {
    authorize(shared, req, "regions:read")?;
    let cfg = &shared.config;
    let img = cfg
        .images
        .iter()
        .find(|i| i.name == image)
        .ok_or_else(|| image_not_found(image))?;
    if !cfg.locations.iter().any(|l| l.id == region) {
        return Err(ApiError::new(
            404,
            "LOCATION_NOT_FOUND",
            "The requested location does not exist.",
            format!("no location {region:?}"),
        ));
    }
    Ok(json_response(
        200,
        &TagOk {
            exists: img.tags.iter().any(|t| t == version),
        },
    ))
}
