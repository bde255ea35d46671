//! The checked-in SDL matches the code's schema.

#[test]
fn the_checked_in_sdl_matches_the_code() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/graphql/schema.graphql");
    let checked_in = std::fs::read_to_string(path).unwrap_or_default();
    let actual = talent_registry::graphql::sdl();
    assert!(
        checked_in == actual,
        "graphql/schema.graphql is out of date; regenerate it with\n\
         \n    cargo run --quiet -- schema > graphql/schema.graphql\n"
    );
}
