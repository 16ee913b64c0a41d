"""A small image classifier written the way keras.io's guides write one (guides/preprocessing_layers.py,
"Image data augmentation"): an augmentation Sequential (RandomFlip, RandomRotation, RandomZoom)
applied inside the model, then rescaling, a small convnet, training and a saved copy. The
augmentation layers are the identity at inference and hold no weight.
Truth: tests/readers/real/keras_truth.py."""
import numpy as np
import keras
from keras import layers

(x_train, y_train), _ = keras.datasets.cifar10.load_data()
y_train = keras.utils.to_categorical(y_train, 10)

data_augmentation = keras.Sequential(
    [
        layers.RandomFlip("horizontal"),
        layers.RandomRotation(0.1),
        layers.RandomZoom(0.1),
    ]
)

inputs = keras.Input(shape=(32, 32, 3))
x = data_augmentation(inputs)
x = layers.Rescaling(1.0 / 255)(x)
x = layers.GaussianNoise(0.1)(x)
for filters in (32, 64):
    x = layers.Conv2D(filters, 3, padding="same", activation="relu")(x)
    x = layers.BatchNormalization()(x)
    x = layers.MaxPooling2D()(x)
x = layers.GlobalAveragePooling2D()(x)
outputs = layers.Dense(10, activation="softmax")(x)
model = keras.Model(inputs, outputs)

keras.utils.plot_model(model, "model.png", show_shapes=True)
model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
model.fit(x_train, y_train, epochs=1, batch_size=64)
model.save("augmented.keras")
