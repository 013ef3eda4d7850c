# node-gyp entry (`node-gyp rebuild`): the addon is Rust, so the one target
# drives cargo through scripts/build-native.js and puts the result at
# build/Release/marekvs.node. `npm install` normally goes through
# scripts/install.js instead, which uses a prebuild when one loads.
{
  "targets": [
    {
      "target_name": "marekvs",
      "type": "none",
      "actions": [
        {
          "action_name": "cargo_build_release",
          "inputs": [
            "native/Cargo.toml",
            "native/Cargo.lock",
            "native/build.rs",
            "<!@(node -p \"require('fs').readdirSync('native/src',{recursive:true}).filter(f=>/\\.(rs|c)$/.test(f)).map(f=>'native/src/'+f).join(' ')\")"
          ],
          "outputs": ["<(PRODUCT_DIR)/marekvs.node"],
          "action": ["node", "scripts/build-native.js", "--out", "<(PRODUCT_DIR)/marekvs.node"]
        }
      ]
    }
  ]
}
