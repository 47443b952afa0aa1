//! `oneprotect publish-sample`: publishes sample alert events to the broker, as a pipeline
//! would, to try AMQP ingest end to end.

use clap::Args;

use crate::amqp::publish::{Publisher, ordering_key, sample_event};
use crate::config::Settings;

#[derive(Debug, Args)]
pub struct PublishSampleArgs {
    /// The integration key the events carry (from `oneprotect integration create`).
    #[arg(long, env = "ONEPROTECT_INTEGRATION_KEY", hide_env_values = true)]
    pub key: String,
    /// How many events to publish.
    #[arg(long, default_value_t = 1)]
    pub count: usize,
    /// How many distinct dedup keys they spread over (repeats deduplicate).
    #[arg(long, default_value_t = 10)]
    pub distinct: usize,
    /// Routing key for every event; by default each event's is `alert.<its dedup key>`, the
    /// ordering convention (events with the same routing key are applied in publish order).
    #[arg(long)]
    pub routing_key: Option<String>,
}

pub fn run(settings: &Settings, args: PublishSampleArgs) -> anyhow::Result<()> {
    let url =
        settings.amqp.url.clone().ok_or_else(|| anyhow::anyhow!("no broker configured: set ONEPROTECT_AMQP_URL"))?;
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    runtime.block_on(async {
        let publisher = Publisher::connect(&url, &settings.amqp.exchange).await?;
        publisher.declare_topology(&settings.amqp).await?;
        for n in 0..args.count {
            let message_id = uuid::Uuid::now_v7().to_string();
            let event = sample_event(&args.key, n, args.distinct);
            let routing_key = args.routing_key.clone().unwrap_or_else(|| ordering_key(&event));
            publisher.publish(&routing_key, &event, &message_id).await?;
        }
        publisher.close().await?;
        eprintln!("{} event(s) published to exchange {}", args.count, settings.amqp.exchange);
        Ok(())
    })
}
