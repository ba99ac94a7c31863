//! Fleet queries: `GET /available-location/{image}` and `GET /tag/{region}/{image}/{version}`.

use http::Method;
use serde::{Deserialize, Serialize};

use crate::call::Call;
use crate::client::Client;
use crate::error::Result;
use crate::response::{decode_json, Response};

/// A location that can host an image (the spec's `AvailableLocationsEntry`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Location {
    /// The location id, as used in [`SessionRun::location`](crate::SessionRun::location).
    pub id: String,
    /// IPv4 addresses to ping to measure latency to this location.
    pub ips: Vec<String>,
}

#[derive(Deserialize)]
pub(crate) struct AvailableLocationsOk {
    locations: Vec<Location>,
}

#[derive(Deserialize)]
pub(crate) struct TagOk {
    exists: bool,
}

impl Client {
    /// The locations that can currently host `image`. Do not cache: it changes.
    pub fn available_locations(&self, image: &str) -> Result<Response<Vec<Location>>> {
        self.block_on(|c| async move { c.available_locations_impl(image.to_owned()).await })
    }

    /// The locations that can currently host `image`, from async code.
    pub async fn available_locations_async(&self, image: &str) -> Result<Response<Vec<Location>>> {
        let (this, image) = (self.clone(), image.to_owned());
        self.spawn(async move { this.available_locations_impl(image).await })
            .await
    }

    async fn available_locations_impl(&self, image: String) -> Result<Response<Vec<Location>>> {
        let call = Call::new(Method::GET, &["available-location"]).param("image", &image)?;
        self.send(call).await?.into_result(|status, body| {
            decode_json::<AvailableLocationsOk>(status, body).map(|ok| ok.locations)
        })
    }

    /// Whether the image tag `version` exists in `region`.
    pub fn tag_exists(&self, region: &str, image: &str, version: &str) -> Result<Response<bool>> {
        self.block_on(|c| async move {
            c.tag_exists_impl([region, image, version].map(str::to_owned))
                .await
        })
    }

    /// Whether the image tag exists, from async code.
    pub async fn tag_exists_async(
        &self,
        region: &str,
        image: &str,
        version: &str,
    ) -> Result<Response<bool>> {
        let (this, args) = (self.clone(), [region, image, version].map(str::to_owned));
        self.spawn(async move { this.tag_exists_impl(args).await })
            .await
    }

    async fn tag_exists_impl(
        &self,
        [region, image, version]: [String; 3],
    ) -> Result<Response<bool>> {
        let call = Call::new(Method::GET, &["tag"])
            .param("region", &region)?
            .param("image", &image)?
            .param("version", &version)?;
        self.send(call)
            .await?
            .into_result(|status, body| decode_json::<TagOk>(status, body).map(|ok| ok.exists))
    }
}
